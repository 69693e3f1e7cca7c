// fuzz.h: what the fuzz harnesses share: libFuzzer's entry point and the contract check.
//
// Each harness (fuzz_<name>.c) defines LLVMFuzzerTestOneInput. With clang and SF_FUZZ it is
// linked with libFuzzer (-fsanitize=fuzzer); otherwise with driver.c, a main() that runs the
// inputs named on its command line through it once each, so the seed corpus and every
// regression input are a CTest test in every build.
#ifndef SUTUREFLEET_TESTS_FUZZ_FUZZ_H_
#define SUTUREFLEET_TESTS_FUZZ_FUZZ_H_

#include <stddef.h>
#include <stdint.h>

#include "status.h"

// run one input (size bytes at data, not NUL-terminated); returns 0; aborts on a broken
// contract
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// abort with the harness's file and line when a contract of the code under test is broken
#define SF_FUZZ_EXPECT(cond) SF_ASSERT(cond)

#endif  // SUTUREFLEET_TESTS_FUZZ_FUZZ_H_
