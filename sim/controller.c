// controller.c: the controller registry, the plug-in loader and the host's services.
//
// A plug-in is opened with dlopen(RTLD_NOW | RTLD_LOCAL) so that unresolved symbols fail at
// load time and its symbols never mix with another plug-in's; its table is checked field by
// field before any episode runs. Built-ins go through the same checks. The file is opened once:
// its hash is computed through that descriptor, compared with an expected hash (a store's)
// before anything of it runs, and the same open file is loaded through /proc/self/fd.
#include "controller.h"

#include <ctype.h>
#include <dlfcn.h>
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

int sf_controller_is_path(const char* spec) {
  size_t n = strlen(spec);
  return strchr(spec, '/') != NULL || (n > 3 && !strcmp(spec + n - 3, ".so"));
}

int sf_controller_builtin_count(void) {
  return 1;
}

const sfcController* sf_controller_builtin(int i) {
  return i == 0 ? sf_scripted_arc() : NULL;
}

// a name of letters, digits and the characters in extra, 1 .. max long
static int sf_name_ok(const char* s, const char* extra, size_t max) {
  if (!s || !*s || strlen(s) > max) return 0;
  for (; *s; s++) {
    if (!isalnum((unsigned char)*s) && !strchr(extra, *s)) return 0;
  }
  return 1;
}

// check one skill value of a table (who names the controller in messages)
static sftStatus sf_check_param(const sfcController* t, int i, const char* who, sfError* e) {
  const sfcParam* p = &t->param[i];
  if (!sf_name_ok(p->name, "_", 63)) {
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
  if (t->abi_version != SFC_ABI_VERSION) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller ABI version %u; this suturefleet knows "
                   "version %d",
                   who, (unsigned)t->abi_version, SFC_ABI_VERSION);
  }
  if (t->size < SF_TABLE_V1_SIZE) {
    return sf_fail(e, SF_ERR_INPUT,
                   "%s: controller table of %u bytes; version 1 needs at least "
                   "%zu",
                   who, (unsigned)t->size, SF_TABLE_V1_SIZE);
  }
  if (!sf_name_ok(t->name, "-_", SFC_NAME_MAX)) {
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
}

// FNV-1a 64 of the bytes read from fd (from its start) into hex (17 bytes); -1 if it cannot be
// read
static int sf_fd_hash(int fd, char hex[24]) {
  uint64_t h = SF_FNV_SEED;
  unsigned char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    h = sf_fnv1a(h, buf, (size_t)n);
  }
  snprintf(hex, 24, "%016llx", (unsigned long long)h);
  return 0;
}

// the /proc name of the open file fd (whose status is sb) into name; 0 when /proc does not
// show that very file (no /proc mounted)
static int sf_fd_name(int fd, const struct stat* sb, char name[64]) {
  snprintf(name, 64, "/proc/self/fd/%d", fd);
  struct stat ps;
  return stat(name, &ps) == 0 && ps.st_dev == sb->st_dev && ps.st_ino == sb->st_ino;
}

// close the descriptor a plug-in was loaded through, once nothing loaded is known by its /proc
// name; while an object still is (another controller shares the file, or it stayed mapped) the
// descriptor stays open, so that name can never come to name another file
static void sf_fd_release(int fd) {
  if (fd < 0) return;
  char name[64];
  snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
  void* still = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
  if (still) {
    dlclose(still);
    return;
  }
  close(fd);
}

// dlerror's text why with the /proc name replaced by the plug-in's path, into out
static void sf_dl_why(const char* why, const char* name, const char* path, char* out, size_t n) {
  const char* at = why ? strstr(why, name) : NULL;
  if (!at) {
    snprintf(out, n, "%s", why ? why : "unknown error");
    return;
  }
  int len = snprintf(out, n, "%.*s%s%s", (int)(at - why), why, path, at + strlen(name));
  if (len >= (int)n && n > 4) memcpy(out + n - 4, "...", 4);  // cut to fit, and marked so
}

// the plug-in file c->path opened once and checked: a regular file, hashed into c->hash and, with
// expected, of that hash; c->path made absolute. Returns the descriptor (its status in sb), or -1
// with SF_ERR_INPUT in e and nothing left open
static int sf_controller_file(sfController* c, const char* expected, const char* origin,
                              struct stat* sb, sfError* e) {
  const char* path = c->path;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block
  if (fd < 0) {
    sf_fail(e, SF_ERR_INPUT,
            "controller plug-in '%s': %s (expected a shared object built against "
            "include/suturefleet/controller.h)",
            path, strerror(errno));
    return -1;
  }
  const char* bad = fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode) ? "not a regular file"
                    : sf_fd_hash(fd, c->hash) != 0              ? "cannot be read"
                                                                : NULL;
  if (bad) {
    close(fd);
    sf_fail(e, SF_ERR_INPUT, "controller plug-in '%s': %s", path, bad);
    return -1;
  }

  // the expected hash, before anything of the file runs
  if (expected && strcmp(c->hash, expected)) {
    close(fd);
    sf_fail(e, SF_ERR_INPUT,
            "controller plug-in '%s' (hash %s) is not the controller %s was written with "
            "(hash %s); the file was not loaded",
            path, c->hash, origin, expected);
    return -1;
  }

  // where the file is, from anywhere: the store records it
  char name[64], full[4096];
  ssize_t n = sf_fd_name(fd, sb, name) ? readlink(name, full, sizeof(full) - 1) : -1;
  char* real = n < 0 ? realpath(path, NULL) : NULL;
  if (n >= 0) full[n] = 0;
  if (real && strlen(real) < sizeof(full)) snprintf(full, sizeof(full), "%s", real);
  if ((n >= 0 || real) && strlen(full) < sizeof(c->path)) {
    snprintf(c->path, sizeof(c->path), "%s", full);
  }
  free(real);
  return fd;
}

// open a plug-in file into c (c->path set), checked against expected (NULL: no expectation)
// before it is loaded; SF_ERR_INPUT with nothing left open on failure
static sftStatus sf_controller_load(sfController* c, const char* expected, const char* origin,
                                    sfError* e) {
  char path[4096];
  snprintf(path, sizeof(path), "%s", c->path);  // as given, for messages
  struct stat sb;
  int fd = sf_controller_file(c, expected, origin, &sb, e);
  if (fd < 0) return SF_ERR_INPUT;

  // load the bytes that were hashed: the same open file through /proc (its path may have been
  // replaced since), or, without /proc, the file at the path
  char name[64];
  int via_fd = sf_fd_name(fd, &sb, name);
  c->dl = dlopen(via_fd ? name : path, RTLD_NOW | RTLD_LOCAL);
  if (!via_fd) close(fd), fd = -1;
  if (!c->dl) {
    char why[2048];
    sf_dl_why(dlerror(), name, path, why, sizeof(why));
    if (fd >= 0) close(fd);
    return sf_fail(e, SF_ERR_INPUT,
                   "controller plug-in '%s': cannot be loaded as a shared "
                   "object: %s",
                   path, why);
  }
  c->fd = fd;

  // its entry point and table
  dlerror();
  void* sym = dlsym(c->dl, SFC_ENTRY);
  if (!sym) {
    sftStatus st = sf_fail(e, SF_ERR_INPUT,
                           "controller plug-in '%s': no entry symbol '%s' (expected "
                           "'SFC_EXPORT const sfcController* %s(void)')",
                           path, SFC_ENTRY, SFC_ENTRY);
    sf_controller_close(c);
    return st;
  }
  sfcEntryFn entry;
  memcpy(&entry, &sym, sizeof(entry));
  c->api = entry();
  if (!c->api) {
    sftStatus st =
        sf_fail(e, SF_ERR_INPUT, "controller plug-in '%s': %s() returned NULL", path, SFC_ENTRY);
    sf_controller_close(c);
    return st;
  }
  return SF_OK;
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
  c->fd = -1;
  c->api = t;
  snprintf(c->hash, sizeof(c->hash), "%s", SF_BUILTIN_HASH);
  return sf_controller_finish(c, who, e);
}

sftStatus sf_controller_open_expect(const char* spec, const char* expected, const char* origin,
                                    sfController* c, sfError* e) {
  memset(c, 0, sizeof(*c));
  c->fd = -1;
  char who[4200];

  // a plug-in file: checked against the expectation before it is loaded
  if (sf_controller_is_path(spec)) {
    if (strlen(spec) >= sizeof(c->path)) {
      return sf_fail(e, SF_ERR_INPUT, "controller plug-in path is too long (%zu characters)",
                     strlen(spec));
    }
    snprintf(c->path, sizeof(c->path), "%s", spec);
    sftStatus st = sf_controller_load(c, expected, origin, e);
    if (st != SF_OK) return st;
    snprintf(who, sizeof(who), "controller plug-in '%s'", spec);
    return sf_controller_finish(c, who, e);
  }

  // a built-in, by name: it matches only a built-in's hash
  for (int i = 0; i < sf_controller_builtin_count(); i++) {
    if (strcmp(sf_controller_builtin(i)->name, spec)) continue;
    if (expected && strcmp(expected, SF_BUILTIN_HASH)) {
      return sf_fail(e, SF_ERR_INPUT,
                     "built-in controller '%s' is not the controller %s was written with (a "
                     "plug-in, hash %s)",
                     spec, origin, expected);
    }
    snprintf(who, sizeof(who), "built-in controller '%s'", spec);
    return sf_controller_use(sf_controller_builtin(i), who, c, e);
  }
  return sf_fail(e, SF_ERR_INPUT,
                 "--controller '%s': no such built-in controller (expected "
                 "scripted-arc, or the path of a plug-in .so)",
                 spec);
}

sftStatus sf_controller_open(const char* spec, sfController* c, sfError* e) {
  return sf_controller_open_expect(spec, NULL, NULL, c, e);
}

sftStatus sf_controller_open_stored(const char* given, const char* stored_spec, const char* name,
                                    const char* hash, const char* store, sfController* c,
                                    sfError* e) {
  memset(c, 0, sizeof(*c));
  c->fd = -1;
  char origin[4200];
  snprintf(origin, sizeof(origin), "store '%s'", store);

  // a built-in store: its built-in by name (never a path: a store's word loads no file)
  if (!sf_controller_is_path(stored_spec) && !strcmp(hash, SF_BUILTIN_HASH)) {
    sftStatus st = sf_controller_open_expect(given ? given : stored_spec, hash, origin, c, e);
    if (st == SF_OK && strcmp(c->name, name)) {
      st = sf_fail(e, SF_ERR_INPUT, "controller '%s' is not the built-in '%s' %s was written with",
                   c->name, name, origin);
      sf_controller_close(c);
    }
    return st;
  }

  // a plug-in store: only the file the user names, and only with the store's hash
  if (!given) {
    return sf_fail(e, SF_ERR_INPUT,
                   "store '%s' was written by plug-in controller '%s' (path %s, hash %s); pass "
                   "--controller PATH to load it",
                   store, name, stored_spec, hash);
  }
  return sf_controller_open_expect(given, hash, origin, c, e);
}

void sf_controller_close(sfController* c) {
  if (!c) return;
  if (c->dl) {
    dlclose(c->dl);
    sf_fd_release(c->fd);
  }
  memset(c, 0, sizeof(*c));
  c->fd = -1;
}

// host services: servo, IK step and solve, grasp geometry

static void sf_host_servo(void* ctx, const mjData* d, const double q_ref[SFC_NAXIS], mjtNum* ctrl) {
  sfHost* h = ctx;
  sf_arm_servo(h->s->m, d, &h->s->arm, q_ref, ctrl);
}

static void sf_host_ik_step(void* ctx, const mjData* d, const double pos[3], const double quat[4],
                            double dq[SFC_NJOINT]) {
  sfHost* h = ctx;
  mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0}, step[SF_NAXIS];
  sf_ik_step(&h->ik, h->s->m, d, &h->s->arm, zero, unit, pos, quat, step);
  mju_copy(dq, step, SFC_NJOINT);
}

static double sf_host_ik_solve(void* ctx, const double q_seed[SFC_NJOINT], const double pos[3],
                               const double quat[4], double q[SFC_NJOINT], double* rot_err) {
  sfHost* h = ctx;
  const sfArm* arm = &h->s->arm;
  mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0}, perr = 0, rerr = 0;
  for (int i = 0; i < SFC_NJOINT; i++) h->scratch->qpos[arm->qadr[i]] = q_seed[i];
  sf_ik_solve(&h->ik, h->s->m, h->scratch, arm, zero, unit, pos, quat, SF_HOST_IK_ITERS,
              SF_HOST_IK_TOL_M, SF_HOST_IK_TOL_RAD, &perr, &rerr);
  for (int i = 0; i < SFC_NJOINT; i++) q[i] = h->scratch->qpos[arm->qadr[i]];
  if (rot_err) *rot_err = rerr;
  return perr;
}

static void sf_host_grasp_tcp(void* ctx, double a, int side, const double needle_pos[3],
                              const double needle_quat[4], double tcp_pos[3], double tcp_quat[4]) {
  sfHost* h = ctx;
  mjtNum gpos[3], gquat[4], ipos[3], iquat[4];
  sf_grasp_pose(h->s->needle_radius_m, a, 0, side >= 0 ? 1 : -1, gpos, gquat);
  mju_negPose(ipos, iquat, gpos, gquat);
  mju_mulPose(tcp_pos, tcp_quat, needle_pos, needle_quat, ipos, iquat);
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
  for (int i = 0; i < SFC_NJOINT; i++) {
    p->arm.jnt[i] = s->arm.jnt[i];
    p->arm.qadr[i] = s->arm.qadr[i];
    p->arm.dadr[i] = s->arm.dadr[i];
  }
  for (int i = 0; i < SFC_NAXIS; i++) p->arm.act[i] = s->arm.act[i];
  p->arm.tcp_site = s->arm.tcp_site;
  p->control_period_s = s->ctrl_every * s->m->opt.timestep;
  p->ctx = h;
  p->servo = sf_host_servo;
  p->ik_step = sf_host_ik_step;
  p->ik_solve = sf_host_ik_solve;
  p->grasp_tcp = sf_host_grasp_tcp;
  return SF_OK;
}

void sf_host_free(sfHost* h) {
  if (!h) return;
  sf_ik_free(&h->ik);
  if (h->scratch) mj_deleteData(h->scratch);
  memset(h, 0, sizeof(*h));
}
