// no_entry.c: a test plug-in with a valid table behind a misspelt entry function, so the shared
// object has no symbol named SFC_ENTRY.
#include <suturefleet/controller.h>

static const sfcParam kParams[1] = {{"gain", NULL, NULL, 0, 1, 0.5, 0.5, 0.1}};

static void* ne_create(const sfcHost* host) {
  static int state;
  return &state;
}

static void ne_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                     const double* theta) {}

static int ne_step(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                   mjtNum* ctrl) {
  return SFC_GIVE_UP;
}

static const sfcController kTable = {
    .abi_version = SFC_ABI_VERSION,
    .size = sizeof(sfcController),
    .name = "no-entry",
    .nparam = 1,
    .param = kParams,
    .create = ne_create,
    .reset = ne_reset,
    .step = ne_step,
};

// exported, but not under the name suturefleet looks for
SFC_EXPORT const sfcController* suturefleet_controller_entri(void);
SFC_EXPORT const sfcController* suturefleet_controller_entri(void) {
  return &kTable;
}
