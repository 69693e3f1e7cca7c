// cli.h: the suturefleet command: subcommands, option parsing, exit codes.
#ifndef SUTUREFLEET_SIM_CLI_H_
#define SUTUREFLEET_SIM_CLI_H_

#include <stdio.h>

// run the command line argv[0 .. argc-1] (argv[0] is the program name); normal output goes to
// out, errors to err; returns the exit code: 0 success, 1 runtime failure, 2 bad usage/input
int sf_cli_main(int argc, char** argv, FILE* out, FILE* err);

#endif  // SUTUREFLEET_SIM_CLI_H_
