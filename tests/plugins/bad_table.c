// bad_table.c: a test plug-in whose table has one defect, chosen when it is built by defining
// one BAD_* macro (tests/CMakeLists.txt builds one plug-in per defect); with none defined it is
// a valid controller (table_ok), so each refusal is caused by its defect alone. With TABLE_V2
// it is a valid table of version 2 (table_v2), as a plug-in built before ABI 3 has it.
#include <math.h>
#include <stddef.h>

#include <suturefleet/controller.h>

// the second skill value's fields, which most defects change
#define P1_LO 1.0
#define P1_HI 5.0
#define P1_REF 2.0
#define P1_MEAN 3.0
#define P1_SD 0.5
#define P1_NAME "width_mm"
#if defined(BAD_LO_GE_HI)  // lo == hi: an empty range
#undef P1_LO
#undef P1_HI
#undef P1_REF
#undef P1_MEAN
#define P1_LO 3.0
#define P1_HI 3.0
#define P1_REF 3.0
#define P1_MEAN 3.0
#elif defined(BAD_REF_OUTSIDE)  // the reference above hi
#undef P1_REF
#define P1_REF 6.0
#elif defined(BAD_MEAN_OUTSIDE)  // the prior mean below lo
#undef P1_MEAN
#define P1_MEAN 0.5
#elif defined(BAD_PRIOR_SD)  // no uncertainty
#undef P1_SD
#define P1_SD 0.0
#elif defined(BAD_NAN_BOUND)  // a NaN upper bound
#undef P1_HI
#define P1_HI NAN
#elif defined(BAD_DUP_NAME)  // the first value's name again
#undef P1_NAME
#define P1_NAME "gain"
#endif

static const sfcParam kParams[2] = {
    {"gain", NULL, "a gain", 0.0, 1.0, 0.5, 0.5, 0.1},
    {P1_NAME, "mm", "a width", P1_LO, P1_HI, P1_REF, P1_MEAN, P1_SD},
};

// the functions do the least a controller may: hold the controls at zero and give up
__attribute__((unused)) static void* bt_create(const sfcHost* host) {
  static int state;
  return &state;
}

__attribute__((unused)) static void bt_reset(void* state, const mjModel* m, const mjData* d,
                                             const sfcObs* obs, const double* theta) {}

__attribute__((unused)) static int bt_step(void* state, const mjModel* m, const mjData* d,
                                           const sfcObs* obs, mjtNum* ctrl) {
  for (int i = 0; i < m->nu; i++) ctrl[i] = 0;
  return SFC_GIVE_UP;
}

__attribute__((unused)) static const sfcController kTable = {
#ifdef BAD_ABI_VERSION
    .abi_version = 99,
#elif defined(TABLE_V2)  // valid: a version-2 table, which ends with destroy (no arms)
    .abi_version = 2,
#else
    .abi_version = SFC_ABI_VERSION,
#endif
#ifdef BAD_SMALL_TABLE  // a table that ends before destroy
    .size = offsetof(sfcController, destroy),
#elif defined(BAD_V3_SMALL_TABLE) || defined(TABLE_V2)  // ends after destroy, before arms
    .size = offsetof(sfcController, arms),
#else
    .size = sizeof(sfcController),
#endif
#ifdef BAD_NAME
    .name = "bad table!",
#else
    .name = "bad-table",
#endif
    .description = "a test table",
#ifdef BAD_NO_PARAMS
    .nparam = 0,
#else
    .nparam = 2,
#endif
    .param = kParams,
#ifdef BAD_AIM  // an aim index past the skill vector
    .has_aim = 1,
    .aim = {0, 1, 5},
#endif
#ifndef BAD_NO_CREATE
    .create = bt_create,
#endif
#ifndef BAD_NO_RESET
    .reset = bt_reset,
#endif
#ifndef BAD_NO_STEP
    .step = bt_step,
#endif
    .destroy = NULL,
#ifdef BAD_ARMS  // more arms than a scene has
    .arms = 3,
#endif
};

SFC_EXPORT const sfcController* suturefleet_controller_entry(void) {
#ifdef BAD_NULL_ENTRY
  return NULL;
#else
  return &kTable;
#endif
}
