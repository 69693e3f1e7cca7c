// controller.c: the controller registry, the plug-in loader and the host's services.
//
// A plug-in is opened with dlopen(RTLD_NOW | RTLD_LOCAL) so that unresolved symbols fail at
// load time and its symbols never mix with another plug-in's; its table is checked field by
// field before any episode runs. Built-ins go through the same checks. The file is opened once:
// its hash is computed through that descriptor, compared with an expected hash (a store's)
// before anything of it runs, and the same open file is loaded through /proc/self/fd.
#include "controller.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arm.h"
#include "needle.h"

_Static_assert(SF_NAXIS == SFC_NAXIS && SF_NJOINT == SFC_NJOINT, "arm axes match the ABI's");

// the host's ik_solve: at most this many DLS iterations, stopping within these tolerances
#define SF_HOST_IK_ITERS 80
#define SF_HOST_IK_TOL_M 1e-5    // position (m)
#define SF_HOST_IK_TOL_RAD 1e-3  // orientation (rad)

// the size of a version 1 table: everything up to and including destroy
#define SF_TABLE_V1_SIZE (offsetof(sfcController, destroy) + sizeof(void (*)(void*)))
// the size of a version 3 table: up to and including arms
#define SF_TABLE_V3_SIZE (offsetof(sfcController, arms) + sizeof(int))

int sf_controller_builtin_count(void) {
  return 1;
}

const sfcController* sf_controller_builtin(int i) {
  return i == 0 ? sf_scripted_arc() : NULL;
}

// check one skill value of a table (who names the controller in messages)
static sftStatus sf_check_param(const sfcController* t, int i, const char* who, sfError* e) {
  const sfcParam* p = &t->param[i];
  if (!sf_plugin_name_ok(p->name, "_", 63)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: skill value %d has no valid name (expected letters, "
                   "digits and '_')",
                   who, i);
  }
  for (int k = 0; k < i; k++) {
    if (!strcmp(t->param[k].name, p->name)) {
      return sf_fail(e, SF_ERR_INPUT, "%s: skill value name '%s' appears twice", who, p->name);
    }
  }
  double v[5] = {p->lo, p->hi, p->ref, p->prior_mean, p->prior_sd};
  for (int k = 0; k < 5; k++) {
    if (!isfinite(v[k])) {
      return sf_fail(e, SF_ERR_INPUT,
                     "%s: skill value '%s' has a non-finite bound, reference "
                     "or prior",
                     who, p->name);
    }
  }
  if (!(p->lo < p->hi)) {
    return sf_fail(e, SF_ERR_INPUT, "%s: skill value '%s' has bounds [%g, %g]; expected lo < hi",
                   who, p->name, p->lo, p->hi);
  }
  if (p->ref < p->lo || p->ref > p->hi || p->prior_mean < p->lo || p->prior_mean > p->hi) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: skill value '%s' has reference %g and prior mean %g; "
                   "expected both within its bounds [%g, %g]",
                   who, p->name, p->ref, p->prior_mean, p->lo, p->hi);
  }
  if (!(p->prior_sd > 0)) {
    return sf_fail(e, SF_ERR_INPUT, "%s: skill value '%s' has prior SD %g; expected > 0", who,
                   p->name, p->prior_sd);
  }
  return SF_OK;
}

// check a controller table; SF_ERR_INPUT naming who and the first problem
static sftStatus sf_check_table(const sfcController* t, const char* who, sfError* e) {
  // version and size first: nothing else may be read before they are known
  if (t->abi_version < 1 || t->abi_version > SFC_ABI_VERSION) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller ABI version %u; this suturefleet knows "
                   "versions 1 to %d",
                   who, (unsigned)t->abi_version, SFC_ABI_VERSION);
  }
  if (t->size < SF_TABLE_V1_SIZE) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller table of %u bytes; version 1 needs at least "
                   "%zu",
                   who, (unsigned)t->size, SF_TABLE_V1_SIZE);
  }
  if (!sf_plugin_name_ok(t->name, "-_", SFC_NAME_MAX)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller name missing or not 1..%d letters, digits, "
                   "'-' or '_'",
                   who, SFC_NAME_MAX);
  }

  // required functions
  const char* missing = !t->create ? "create" : !t->reset ? "reset" : !t->step ? "step" : NULL;
  if (missing) {
    return sf_fail(e, SF_ERR_INPUT, "%s: controller '%s' lacks the required function '%s'", who,
                   t->name, missing);
  }

  // the skill vector
  if (t->nparam < 1 || t->nparam > SFC_MAX_PARAMS || !t->param) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller '%s' declares %d skill values%s; expected "
                   "1..%d",
                   who, t->name, t->nparam, t->param ? "" : " and no table", SFC_MAX_PARAMS);
  }
  for (int i = 0; i < t->nparam; i++) {
    sftStatus st = sf_check_param(t, i, who, e);
    if (st != SF_OK) return st;
  }
  for (int j = 0; t->has_aim && j < 3; j++) {
    if (t->aim[j] < 0 || t->aim[j] >= t->nparam) {
      return sf_fail(e, SF_ERR_INPUT,
                     "%s: controller '%s' aim value %d is %d; expected a skill "
                     "value index 0..%d",
                     who, t->name, j, t->aim[j], t->nparam - 1);
    }
  }
  if (!isfinite(t->aim_z_per_chord)) {
    return sf_fail(e, SF_ERR_INPUT, "%s: controller '%s' aim_z_per_chord is not finite", who,
                   t->name);
  }

  // the arms it drives (version 3)
  if (t->abi_version >= 3 && t->size < SF_TABLE_V3_SIZE) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller '%s' has a version 3 table of %u bytes; version 3 needs at "
                   "least %zu",
                   who, t->name, (unsigned)t->size, SF_TABLE_V3_SIZE);
  }
  if (t->abi_version >= 3 && (t->arms < 0 || t->arms > 2)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller '%s' drives %d arms; expected 1 (or 0: one arm) or 2", who,
                   t->name, t->arms);
  }
  return SF_OK;
}

int sf_controller_arms(const sfcController* t) {
  return t->abi_version >= 3 && t->arms == 2 ? 2 : 1;
}

sftStatus sf_task_check(const sfScene* s, const sfController* c, int stitches, sfError* e) {
  if (stitches > s->npair) {
    return sf_fail(e, SF_ERR_INPUT, "--stitches: the model has %d entry/exit pairs, got %d",
                   s->npair, stitches);
  }
  if (stitches > 1 && s->narm == 2 && c->arms < 2) {
    return sf_fail(e, SF_ERR_INPUT,
                   "controller '%s' drives one arm (ABI version %u, arms %d); %d stitches in the "
                   "two-arm model '%s' need the needle handed between its arms: use a controller "
                   "that drives both (ABI version 3, arms = 2) or --stitches 1",
                   c->name, (unsigned)c->api->abi_version,
                   c->api->abi_version >= 3 ? c->api->arms : 1, stitches, s->path);
  }
  return SF_OK;
}

// fill c's skill definition from its table
static void sf_controller_skill(sfController* c) {
  const sfcController* t = c->api;
  sfSkillDef* k = &c->skill;
  memset(k, 0, sizeof(*k));
  k->n = t->nparam;
  for (int i = 0; i < t->nparam; i++) {
    const sfcParam* p = &t->param[i];
    k->name[i] = p->name;
    k->unit[i] = p->unit ? p->unit : "";
    k->doc[i] = p->doc ? p->doc : "";
    k->lo[i] = p->lo, k->hi[i] = p->hi, k->ref[i] = p->ref;
    k->prior_mean[i] = p->prior_mean, k->prior_sd[i] = p->prior_sd;
  }
  k->has_aim = t->has_aim != 0;
  for (int j = 0; k->has_aim && j < 3; j++) k->aim[j] = t->aim[j];
  k->aim_z_per_chord = t->aim_z_per_chord;
  c->arms = sf_controller_arms(t);
}

// c's table checked, its name and skill filled in; on failure c is closed
static sftStatus sf_controller_finish(sfController* c, const char* who, sfError* e) {
  sftStatus st = sf_check_table(c->api, who, e);
  if (st != SF_OK) {
    sf_controller_close(c);
    return st;
  }
  snprintf(c->name, sizeof(c->name), "%s", c->api->name);
  sf_controller_skill(c);
  return SF_OK;
}

sftStatus sf_controller_use(const sfcController* t, const char* who, sfController* c, sfError* e) {
  memset(c, 0, sizeof(*c));
  sf_plugin_builtin(&c->file);
  c->api = t;
  return sf_controller_finish(c, who, e);
}

// how controller plug-ins are loaded
static const sfPluginKind kControllerKind = {"controller", "include/suturefleet/controller.h",
                                             SFC_ENTRY, "SFC_EXPORT const sfcController* %s(void)"};

sftStatus sf_controller_open_expect(const char* spec, const char* expected, const char* origin,
                                    sfController* c, sfError* e) {
  memset(c, 0, sizeof(*c));
  sf_plugin_builtin(&c->file);
  char who[4200];

  // a plug-in file: checked against the expectation before it is loaded
  if (sf_plugin_is_path(spec)) {
    const void* table;
    sftStatus st = sf_plugin_load(&c->file, &kControllerKind, spec, expected, origin, &table, e);
    if (st != SF_OK) return st;
    c->api = table;
    snprintf(who, sizeof(who), "controller plug-in '%s'", spec);
    return sf_controller_finish(c, who, e);
  }

  // a built-in, by name: it matches only a built-in's hash
  const char* names[8];
  int n = sf_controller_builtin_count();
  SF_ASSERT(n <= 8);
  for (int i = 0; i < n; i++) names[i] = sf_controller_builtin(i)->name;
  int i = sf_plugin_builtin_index(&kControllerKind, "--controller", names, n, spec, expected,
                                  origin, "scripted-arc", e);
  if (i < 0) return SF_ERR_INPUT;
  snprintf(who, sizeof(who), "built-in controller '%s'", spec);
  return sf_controller_use(sf_controller_builtin(i), who, c, e);
}

sftStatus sf_controller_open(const char* spec, sfController* c, sfError* e) {
  return sf_controller_open_expect(spec, NULL, NULL, c, e);
}

sftStatus sf_controller_open_stored(const char* given, const char* stored_spec, const char* name,
                                    const char* hash, const char* store, sfController* c,
                                    sfError* e) {
  memset(c, 0, sizeof(*c));
  sf_plugin_builtin(&c->file);
  char origin[4200];
  const char* spec;
  sftStatus st = sf_plugin_stored_spec(&kControllerKind, "--controller", given, stored_spec, name,
                                       hash, store, origin, sizeof(origin), &spec, e);
  if (st == SF_OK) st = sf_controller_open_expect(spec, hash, origin, c, e);
  if (st == SF_OK && strcmp(c->name, name)) {
    st = sf_fail(e, SF_ERR_INPUT, "controller '%s' is not the %s'%s' %s was written with", c->name,
                 strcmp(hash, SF_BUILTIN_HASH) ? "" : "built-in ", name, origin);
    sf_controller_close(c);
  }
  return st;
}

void sf_controller_close(sfController* c) {
  if (!c) return;
  sf_plugin_close(&c->file);
  memset(c, 0, sizeof(*c));
  sf_plugin_builtin(&c->file);
}

// host services: servo, IK step and solve for either arm, grasp geometry

// arm a of the host's scene; an arm the scene lacks is the first (a controller's mistake must
// not read outside the scene)
static const sfArm* sf_host_arm(const sfHost* h, int a) {
  return sf_scene_arm(h->s, a == 1 && h->s->narm == 2 ? 1 : 0);
}

static void sf_host_servo_arm(void* ctx, int arm, const mjData* d, const double q_ref[SFC_NAXIS],
                              mjtNum* ctrl) {
  sfHost* h = ctx;
  sf_arm_servo(h->s->m, d, sf_host_arm(h, arm), q_ref, ctrl);
}

static void sf_host_servo(void* ctx, const mjData* d, const double q_ref[SFC_NAXIS], mjtNum* ctrl) {
  sf_host_servo_arm(ctx, 0, d, q_ref, ctrl);
}

static void sf_host_ik_step_arm(void* ctx, int arm, const mjData* d, const double pos[3],
                                const double quat[4], double dq[SFC_NJOINT]) {
  sfHost* h = ctx;
  mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0}, step[SF_NAXIS];
  sf_ik_step(&h->ik, h->s->m, d, sf_host_arm(h, arm), zero, unit, pos, quat, step);
  mju_copy(dq, step, SFC_NJOINT);
}

static void sf_host_ik_step(void* ctx, const mjData* d, const double pos[3], const double quat[4],
                            double dq[SFC_NJOINT]) {
  sf_host_ik_step_arm(ctx, 0, d, pos, quat, dq);
}

static double sf_host_ik_solve_arm(void* ctx, int which, const double q_seed[SFC_NJOINT],
                                   const double pos[3], const double quat[4], double q[SFC_NJOINT],
                                   double* rot_err) {
  sfHost* h = ctx;
  const sfArm* arm = sf_host_arm(h, which);
  mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0}, perr = 0, rerr = 0;
  for (int i = 0; i < SFC_NJOINT; i++) h->scratch->qpos[arm->qadr[i]] = q_seed[i];
  sf_ik_solve(&h->ik, h->s->m, h->scratch, arm, zero, unit, pos, quat, SF_HOST_IK_ITERS,
              SF_HOST_IK_TOL_M, SF_HOST_IK_TOL_RAD, &perr, &rerr);
  for (int i = 0; i < SFC_NJOINT; i++) q[i] = h->scratch->qpos[arm->qadr[i]];
  if (rot_err) *rot_err = rerr;
  return perr;
}

static double sf_host_ik_solve(void* ctx, const double q_seed[SFC_NJOINT], const double pos[3],
                               const double quat[4], double q[SFC_NJOINT], double* rot_err) {
  return sf_host_ik_solve_arm(ctx, 0, q_seed, pos, quat, q, rot_err);
}

static void sf_host_grasp_tcp_face(void* ctx, double a, int side, int face,
                                   const double needle_pos[3], const double needle_quat[4],
                                   double tcp_pos[3], double tcp_quat[4]) {
  sfHost* h = ctx;
  mjtNum gpos[3], gquat[4], ipos[3], iquat[4];
  sf_grasp_pose(h->s->needle_radius_m, a, 0, side >= 0 ? 1 : -1, gpos, gquat);
  if (face < 0) {
    // the tool half a turn about the wire (the tcp's y axis at the grasp point)
    mjtNum y[3] = {0, 1, 0}, qy[4], p[3], q[4];
    mju_axisAngle2Quat(qy, y, mjPI);
    mju_rotVecQuat(p, gpos, qy);
    mju_mulQuat(q, qy, gquat);
    mju_copy3(gpos, p);
    mju_copy4(gquat, q);
  }
  mju_negPose(ipos, iquat, gpos, gquat);
  mju_mulPose(tcp_pos, tcp_quat, needle_pos, needle_quat, ipos, iquat);
}

static void sf_host_grasp_tcp(void* ctx, double a, int side, const double needle_pos[3],
                              const double needle_quat[4], double tcp_pos[3], double tcp_quat[4]) {
  sf_host_grasp_tcp_face(ctx, a, side, 1, needle_pos, needle_quat, tcp_pos, tcp_quat);
}

// the ABI's view of arm a of s (all -1 when the scene has no such arm)
static void sf_host_public_arm(const sfScene* s, int a, sfcArm* p) {
  if (a >= s->narm) {
    memset(p, 0xff, sizeof(*p));
    return;
  }
  const sfArm* arm = sf_scene_arm(s, a);
  for (int i = 0; i < SFC_NJOINT; i++) {
    p->jnt[i] = arm->jnt[i];
    p->qadr[i] = arm->qadr[i];
    p->dadr[i] = arm->dadr[i];
  }
  for (int i = 0; i < SFC_NAXIS; i++) p->act[i] = arm->act[i];
  p->tcp_site = arm->tcp_site;
}

sftStatus sf_host_make(sfHost* h, const sfScene* s, sfError* e) {
  memset(h, 0, sizeof(*h));
  h->s = s;
  h->scratch = mj_makeData(s->m);
  if (!h->scratch) {
    sf_host_free(h);
    return sf_fail(e, SF_ERR_RUN, "could not allocate the controller host's scratch data");
  }
  sf_ik_make(&h->ik, s->m);
  sfcHost* p = &h->pub;
  p->abi_version = SFC_ABI_VERSION;
  p->size = sizeof(sfcHost);
  p->m = s->m;
  sf_host_public_arm(s, 0, &p->arm);
  sf_host_public_arm(s, 1, &p->arm2);
  p->narm = s->narm;
  p->control_period_s = s->ctrl_every * s->m->opt.timestep;
  p->ctx = h;
  p->servo = sf_host_servo;
  p->ik_step = sf_host_ik_step;
  p->ik_solve = sf_host_ik_solve;
  p->grasp_tcp = sf_host_grasp_tcp;
  p->servo_arm = sf_host_servo_arm;
  p->ik_step_arm = sf_host_ik_step_arm;
  p->ik_solve_arm = sf_host_ik_solve_arm;
  p->grasp_tcp_face = sf_host_grasp_tcp_face;
  return SF_OK;
}

void sf_host_free(sfHost* h) {
  if (!h) return;
  sf_ik_free(&h->ik);
  if (h->scratch) mj_deleteData(h->scratch);
  memset(h, 0, sizeof(*h));
}
