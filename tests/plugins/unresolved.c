// unresolved.c: a test plug-in that calls a function no library defines; a shared object may be
// linked with it undefined, but dlopen(RTLD_NOW) must refuse to load it.
#include <suturefleet/controller.h>

// defined nowhere
double sf_test_undefined_function(double x);

static const sfcParam kParams[1] = {{"gain", NULL, NULL, 0, 1, 0.5, 0.5, 0.1}};

static void* un_create(const sfcHost* host) {
  static int state;
  return &state;
}

static void un_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                     const double* theta) {}

static int un_step(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                   mjtNum* ctrl) {
  for (int i = 0; i < m->nu; i++) ctrl[i] = sf_test_undefined_function(obs->time_s);
  return SFC_RUN;
}

static const sfcController kTable = {
    .abi_version = SFC_ABI_VERSION,
    .size = sizeof(sfcController),
    .name = "unresolved",
    .nparam = 1,
    .param = kParams,
    .create = un_create,
    .reset = un_reset,
    .step = un_step,
};

SFC_EXPORT const sfcController* suturefleet_controller_entry(void) {
  return &kTable;
}
