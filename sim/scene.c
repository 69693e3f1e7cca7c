// scene.c: load the MJCF scene, resolve named ids, hash the compiled model.
#include "scene.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char* sf_data_path(char* buf, size_t n, const char* rel, const char* fallback) {
  // the running executable's canonical path: <prefix>/bin/<name> when installed
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (len <= 0) return fallback;
  exe[len] = '\0';

  // its prefix: the executable's path without its last two components
  for (int k = 0; k < 2; k++) {
    char* slash = strrchr(exe, '/');
    if (!slash || slash == exe) return fallback;
    *slash = '\0';
  }

  // installed only if the prefix holds the installed models; then the file under share/
  char probe[4096];
  int w = snprintf(probe, sizeof(probe), "%s/share/suturefleet/models/suture_scene.xml", exe);
  if (w < 0 || (size_t)w >= sizeof(probe) || access(probe, F_OK) != 0) return fallback;
  w = snprintf(buf, n, "%s/share/suturefleet/%s", exe, rel);
  return (w < 0 || (size_t)w >= n) ? fallback : buf;
}

const char* sf_scene_default_path(void) {
  return sf_scene_default_for(1);
}

const char* sf_scene_default_for(int stitches) {
  const char* env = getenv("SUTUREFLEET_MODEL");
  if (env && env[0]) return env;
  static _Thread_local char path[4096];
  if (stitches > 1) {
    return sf_data_path(path, sizeof(path), "models/suture_scene_2arm.xml",
                        SF_MODEL_DIR "/suture_scene_2arm.xml");
  }
  return sf_data_path(path, sizeof(path), "models/suture_scene.xml",
                      SF_MODEL_DIR "/suture_scene.xml");
}

// id of a named element, or -1 with a message naming the file and element
static int sf_scene_find(const sfScene* s, int type, const char* kind, const char* name,
                         sfError* e) {
  int id = mj_name2id(s->m, type, name);
  if (id < 0) {
    sf_fail(e, SF_ERR_INPUT, "model '%s' has no %s named '%s' (expected by suturefleet)", s->path,
            kind, name);
  }
  return id;
}

// hash of the compiled model's binary form
static uint64_t sf_scene_hash(const mjModel* m) {
  int size = mj_sizeModel(m);
  void* buf = SF_CALLOC(size, 1);  // zeroed: mj_saveModel leaves padding unwritten
  mj_saveModel(m, NULL, buf, size);
  uint64_t h = sf_fnv1a(SF_FNV_SEED, buf, (size_t)size);
  free(buf);
  return h;
}

// world frames of the holes, the pad and the wound, from the home keyframe's kinematics
static sftStatus sf_scene_frames(sfScene* s, int wound, sfError* e) {
  const mjModel* m = s->m;
  mjData* d = mj_makeData(m);
  if (!d) return sf_fail(e, SF_ERR_RUN, "MuJoCo could not allocate simulation data");
  mj_resetDataKeyframe(m, d, s->home_key);
  mj_kinematics(m, d);
  if (s->narm == 2) {
    sf_arm_axes(m, d, &s->arm2, s->arm2_home);
    memcpy(s->arm2_park, s->arm2_home, sizeof(s->arm2_park));
    const mjtNum* lim = m->jnt_range + 2 * s->arm2.jnt[SF_AXIS_INSERTION];
    s->arm2_park[SF_AXIS_INSERTION] = mju_max(lim[0], s->arm2_home[SF_AXIS_INSERTION] - SF_PARK_M);
  }
  s->holes.npair = s->npair;
  for (int i = 0; i < s->npair; i++) {
    mju_copy3(s->holes.entry_pos[i], d->site_xpos + 3 * s->entry_site[i]);
    mju_copy(s->holes.entry_mat[i], d->site_xmat + 9 * s->entry_site[i], 9);
    mju_copy3(s->holes.exit_pos[i], d->site_xpos + 3 * s->exit_site[i]);
    mju_copy(s->holes.exit_mat[i], d->site_xmat + 9 * s->exit_site[i], 9);
  }

  // the pad must be axis-aligned; its half sizes are then its world extents
  const mjtNum* pm = d->geom_xmat + 9 * s->pad_geom;
  int aligned = mju_abs(pm[0] - 1) < 1e-9 && mju_abs(pm[4] - 1) < 1e-9 && mju_abs(pm[8] - 1) < 1e-9;
  for (int i = 0; i < 3; i++) {
    s->pad_center_m[i] = d->geom_xpos[3 * s->pad_geom + i];
    s->pad_half_m[i] = m->geom_size[3 * s->pad_geom + i];
    s->wound_pos_m[i] = d->geom_xpos[3 * wound + i];
    s->wound_dir[i] = d->geom_xmat[9 * wound + 3 * i];
  }
  // the wound's simulated edges of the soft scene, if any, as they lie at home
  const double up[3] = {0, 0, 1};
  if (sf_edges_resolve(m, d, s->path, s->wound_pos_m, s->wound_dir, up, &s->edges, e) != SF_OK ||
      sf_rope_resolve(m, s->path, &s->rope, e) != SF_OK) {
    mj_deleteData(d);
    return SF_ERR_INPUT;
  }

  // the deformable skin of the soft scene, if any, at rest after settling for 1 s from home
  s->nskin = 0;
  for (int i = 0; i < SF_NJOINT; i++) d->ctrl[s->arm.act[i]] = d->qpos[s->arm.qadr[i]];
  for (int k = 0; k < (int)(1.0 / m->opt.timestep); k++) mj_step(m, d);
  mj_kinematics(m, d);
  for (int b = 0; b < m->nbody; b++) {
    const char* name = mj_id2name(m, mjOBJ_BODY, b);
    if (!name || strncmp(name, "skinB", 5) || m->body_jntnum[b] == 0) continue;
    if (s->nskin == SF_MAX_SKIN) {
      mj_deleteData(d);
      return sf_fail(e, SF_ERR_INPUT, "model '%s': more than %d skin particles", s->path,
                     SF_MAX_SKIN);
    }
    int jnt = -1;
    for (int j = m->body_jntadr[b]; j < m->body_jntadr[b] + m->body_jntnum[b]; j++) {
      if (m->jnt_type[j] == mjJNT_SLIDE && mju_abs(m->jnt_axis[3 * j + 2] - 1) < 1e-9) jnt = j;
    }
    if (jnt < 0) {
      mj_deleteData(d);
      return sf_fail(e, SF_ERR_INPUT, "model '%s': skin particle '%s' has no vertical slide joint",
                     s->path, name);
    }
    s->skin_body[s->nskin] = b;
    s->skin_qadr[s->nskin] = m->jnt_qposadr[jnt];
    s->skin_dadr[s->nskin] = m->jnt_dofadr[jnt];
    s->skin_rest_q[s->nskin] = d->qpos[m->jnt_qposadr[jnt]];
    s->skin_rest_z[s->nskin++] = d->xpos[3 * b + 2];
  }
  mj_deleteData(d);
  // the skin's support, rigid unless the scene sets a stiffness
  int kid = mj_name2id(m, mjOBJ_NUMERIC, "suturefleet_skin_k");
  s->skin_k_N_m = kid >= 0 && m->numeric_size[kid] >= 1 ? m->numeric_data[m->numeric_adr[kid]] : 0;
  if (kid >= 0 && !(s->skin_k_N_m > 0 && s->nskin)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "model '%s': suturefleet_skin_k = %g N/m; expected a positive stiffness, in a "
                   "scene with a skin (bodies skinB*)",
                   s->path, s->skin_k_N_m);
  }
  if (!aligned) {
    return sf_fail(e, SF_ERR_INPUT,
                   "model '%s': geom 'tissue_pad' must be aligned with the world axes", s->path);
  }
  return SF_OK;
}

// a rate of the scene (custom numeric name, else fallback_hz) as a whole number of physics steps
// per period in *every; SF_ERR_INPUT when it is not positive or its period is not a whole
// number of timesteps
static sftStatus sf_scene_rate(sfScene* s, const char* name, double fallback_hz, int* every,
                               sfError* e) {
  const mjModel* m = s->m;
  int id = mj_name2id(m, mjOBJ_NUMERIC, name);
  double hz =
      id >= 0 && m->numeric_size[id] >= 1 ? m->numeric_data[m->numeric_adr[id]] : fallback_hz;
  double steps = hz > 0 ? 1.0 / (hz * m->opt.timestep) : 0;
  long n = lround(steps);
  if (!(hz > 0) || n < 1 || fabs(steps - (double)n) > 1e-6 * steps) {
    return sf_fail(e, SF_ERR_INPUT,
                   "model '%s': %s = %g Hz; expected a positive rate whose period is a whole "
                   "number of timesteps (%g s)",
                   s->path, name, hz, m->opt.timestep);
  }
  *every = (int)n;
  return SF_OK;
}

// resolve the needle, the entry/exit pairs and the home keyframe
static sftStatus sf_scene_resolve(sfScene* s, sfError* e) {
  const mjModel* m = s->m;
  s->needle_body = sf_scene_find(s, mjOBJ_BODY, "body", "needle", e);
  if (s->needle_body < 0) return SF_ERR_INPUT;
  s->needle_mocap = m->body_mocapid[s->needle_body];
  if (s->needle_mocap < 0) {
    return sf_fail(e, SF_ERR_INPUT, "model '%s': body 'needle' must be a mocap body", s->path);
  }
  s->needle_tip_site = sf_scene_find(s, mjOBJ_SITE, "site", "needle_tip", e);
  s->needle_tail_site = sf_scene_find(s, mjOBJ_SITE, "site", "needle_tail", e);
  s->needle_center_site = sf_scene_find(s, mjOBJ_SITE, "site", "needle_center", e);
  s->home_key = sf_scene_find(s, mjOBJ_KEY, "keyframe", "home", e);
  if (s->needle_tip_site < 0 || s->needle_tail_site < 0 || s->needle_center_site < 0 ||
      s->home_key < 0) {
    return SF_ERR_INPUT;
  }
  s->needle_radius_m =
      mju_dist3(m->site_pos + 3 * s->needle_tip_site, m->site_pos + 3 * s->needle_center_site);
  s->pad_geom = sf_scene_find(s, mjOBJ_GEOM, "geom", "tissue_pad", e);
  int wound = sf_scene_find(s, mjOBJ_GEOM, "geom", "wound", e);
  if (s->pad_geom < 0 || wound < 0) return SF_ERR_INPUT;
  if (m->geom_type[s->pad_geom] != mjGEOM_BOX) {
    return sf_fail(e, SF_ERR_INPUT, "model '%s': geom 'tissue_pad' must be a box", s->path);
  }

  // entry_i / exit_i pairs, numbered from 0 without gaps
  s->npair = 0;
  for (int i = 0; i < SF_MAX_PAIRS; i++) {
    char en[32], ex[32];
    snprintf(en, sizeof(en), "entry_%d", i);
    snprintf(ex, sizeof(ex), "exit_%d", i);
    int a = mj_name2id(m, mjOBJ_SITE, en), b = mj_name2id(m, mjOBJ_SITE, ex);
    if (a < 0 && b < 0) break;
    if (a < 0 || b < 0) {
      return sf_fail(e, SF_ERR_INPUT, "model '%s' has site '%s' without its partner '%s'", s->path,
                     a < 0 ? ex : en, a < 0 ? en : ex);
    }
    s->entry_site[i] = a;
    s->exit_site[i] = b;
    s->npair++;
  }
  if (s->npair == 0) {
    return sf_fail(e, SF_ERR_INPUT,
                   "model '%s' has no site named 'entry_0' (expected by suturefleet)", s->path);
  }
  return sf_scene_frames(s, wound, e);
}

sftStatus sf_scene_load(sfScene* s, const char* path, sfError* e) {
  memset(s, 0, sizeof(*s));
  snprintf(s->path, sizeof(s->path), "%s", path);

  // a missing or unreadable file is named before MuJoCo's parser sees it
  FILE* f = fopen(path, "rb");
  if (!f) {
    return sf_fail(e, SF_ERR_INPUT, "model '%s': cannot open (%s); expected an MJCF file", path,
                   strerror(errno));
  }
  fclose(f);

  // compile
  char err[1000] = "";
  s->m = mj_loadXML(path, NULL, err, sizeof(err));
  if (!s->m) {
    return sf_fail(e, SF_ERR_INPUT, "model '%s' failed to load: %s", path, err);
  }

  // names, rates and hash
  sftStatus st = sf_arm_resolve(s->m, path, "psm1_", &s->arm, e);
  s->narm = 1;
  if (st == SF_OK && mj_name2id(s->m, mjOBJ_BODY, "psm2_base") >= 0) {
    st = sf_arm_resolve(s->m, path, "psm2_", &s->arm2, e);
    s->narm = 2;
  }
  if (st == SF_OK) st = sf_scene_resolve(s, e);
  if (st == SF_OK)
    st = sf_scene_rate(s, "suturefleet_control_hz", SF_CONTROL_HZ, &s->ctrl_every, e);
  if (st == SF_OK)
    st = sf_scene_rate(s, "suturefleet_tissue_hz", SF_TISSUE_HZ, &s->tissue_every, e);
  if (st != SF_OK) {
    sf_scene_free(s);
    return st;
  }
  s->model_hash = sf_scene_hash(s->m);
  return SF_OK;
}

void sf_scene_free(sfScene* s) {
  if (!s) return;
  if (s->m) mj_deleteModel(s->m);
  s->m = NULL;
}
