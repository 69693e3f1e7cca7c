// main.c: the suturefleet executable.
#include "cli.h"

int main(int argc, char** argv) {
  return sf_cli_main(argc, argv, stdout, stderr);
}
