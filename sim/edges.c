// edges.c: the soft scene's wound edges (model in edges.h).
#include "edges.h"

#include <stdio.h>
#include <string.h>

static const char* const SF_EDGE_PREFIX[2] = {"edgea", "edgeb"};

// a point's coordinates along the wound and across it
static mjtNum sf_edges_along(const sfEdges* e, const mjtNum x[3]) {
  mjtNum r[3];
  mju_sub3(r, x, e->wound_pos);
  return mju_dot3(r, e->wound_dir);
}

static mjtNum sf_edges_across(const sfEdges* e, const mjtNum x[3]) {
  mjtNum r[3];
  mju_sub3(r, x, e->wound_pos);
  return mju_dot3(r, e->lat);
}

// one rope's bodies <prefix>B0.. in order; returns their count (0: none), -1 when too many
static int sf_edges_bodies(const mjModel* m, const char* prefix, int* body) {
  int n = 0;
  for (;; n++) {
    char name[64];
    snprintf(name, sizeof(name), "%sB%d", prefix, n);
    int b = mj_name2id(m, mjOBJ_BODY, name);
    if (b < 0) return n;
    if (n == SF_EDGES_MAX) return -1;
    body[n] = b;
  }
}

sftStatus sf_edges_resolve(const mjModel* m, const mjData* d, const char* path,
                           const double wound_pos[3], const double wound_dir[3], const double up[3],
                           sfEdges* e, sfError* err) {
  memset(e, 0, sizeof(*e));
  int n[2];
  for (int k = 0; k < 2; k++) n[k] = sf_edges_bodies(m, SF_EDGE_PREFIX[k], e->body[k]);
  if (n[0] == 0 && n[1] == 0) return SF_OK;
  if (n[0] < 2 || n[0] != n[1]) {
    return sf_fail(err, SF_ERR_INPUT,
                   "model '%s': wound edges edgeaB0.. and edgebB0..: expected two ropes of the "
                   "same length, from 2 to %d bodies each (found %d and %d)",
                   path, SF_EDGES_MAX, n[0], n[1]);
  }
  e->n = n[0];
  for (int i = 0; i < 3; i++) e->wound_pos[i] = wound_pos[i], e->wound_dir[i] = wound_dir[i];
  mjtNum u[3] = {up[0], up[1], up[2]};
  mju_cross(e->lat, u, e->wound_dir);
  mju_normalize3(e->lat);
  mju_cross(e->up, e->wound_dir, e->lat);  // the normal the foundation holds the heights along

  for (int k = 0; k < 2; k++) {
    // the root's slide across the wound
    char name[64];
    snprintf(name, sizeof(name), "%s_y", SF_EDGE_PREFIX[k]);
    int j = mj_name2id(m, mjOBJ_JOINT, name);
    if (j < 0 || m->jnt_type[j] != mjJNT_SLIDE || mju_dot3(d->xaxis + 3 * j, e->lat) < 0.999) {
      return sf_fail(err, SF_ERR_INPUT,
                     "model '%s': wound edge '%s' needs a slide joint '%s' across the wound (axis "
                     "from edgea towards edgeb)",
                     path, SF_EDGE_PREFIX[k], name);
    }
    e->root_qadr[k] = m->jnt_qposadr[j];
    e->root_lat_m[k] = sf_edges_across(e, d->xipos + 3 * m->jnt_bodyid[j]);

    // the bodies: in order along the wound, evenly spaced, edge a on the -lat side
    for (int i = 0; i < e->n; i++) {
      const mjtNum* x = d->xipos + 3 * e->body[k][i];
      mjtNum s = sf_edges_along(e, x);
      if (k == 0) e->s_m[i] = s;
      e->z_m[k][i] = mju_dot3(x, e->up);
      if (mju_abs(s - e->s_m[i]) > 1e-6 || (i && e->s_m[i] <= e->s_m[i - 1])) {
        return sf_fail(err, SF_ERR_INPUT,
                       "model '%s': wound edges: expected the bodies of edgea and edgeb side by "
                       "side in order along the wound (body %d)",
                       path, i);
      }
    }
  }
  e->spacing_m = (e->s_m[e->n - 1] - e->s_m[0]) / (e->n - 1);
  for (int i = 0; i < e->n; i++) {
    if (mju_abs(e->s_m[i] - e->s_m[0] - i * e->spacing_m) > 1e-6) {
      return sf_fail(err, SF_ERR_INPUT,
                     "model '%s': wound edges: expected bodies evenly spaced along the wound "
                     "(body %d is %.3g mm off)",
                     path, i, 1e3 * (e->s_m[i] - e->s_m[0] - i * e->spacing_m));
    }
  }
  if (!(e->root_lat_m[0] < 0 && e->root_lat_m[1] > 0)) {
    return sf_fail(err, SF_ERR_INPUT,
                   "model '%s': wound edges: expected edgea on one side of the wound line and "
                   "edgeb on the other",
                   path);
  }
  return SF_OK;
}

void sf_edges_place(const sfEdges* e, mjData* d, const sfSutureParams* p) {
  if (!e->n) return;
  for (int k = 0; k < 2; k++) {
    mjtNum side = k ? 1 : -1;
    d->qpos[e->root_qadr[k]] = side * 0.5 * p->gap0_m - e->root_lat_m[k];
  }
}

// the bodies either side of wound coordinate s (clipped to the edges' extent): i and i + 1,
// with weight w on i + 1
static int sf_edges_at(const sfEdges* e, mjtNum s, mjtNum* w) {
  mjtNum x = mju_clip((s - e->s_m[0]) / e->spacing_m, 0, e->n - 1);
  int i = (int)x;
  if (i >= e->n - 1) i = e->n - 2;
  *w = x - i;
  return i;
}

// a force along dir at wound coordinate s on edge k, shared between the bodies either side
static void sf_edges_pull(const sfEdges* e, mjData* d, int k, mjtNum s, mjtNum force,
                          const mjtNum dir[3]) {
  mjtNum w;
  int i = sf_edges_at(e, s, &w);
  mju_addToScl3(d->xfrc_applied + 6 * e->body[k][i], dir, force * (1 - w));
  mju_addToScl3(d->xfrc_applied + 6 * e->body[k][i + 1], dir, force * w);
}

void sf_edges_apply(const sfEdges* e, const mjModel* m, mjData* d, const sfSutureParams* p,
                    const sfSutureState* s) {
  if (!e->n) return;
  const mjtNum* up = e->up;
  mjtNum kf = p->edge_k_N_m2 * e->spacing_m;
  for (int i = 0; i < e->n; i++) {
    mjtNum lat[2];
    for (int k = 0; k < 2; k++) {
      int b = e->body[k][i];
      mjtNum* f = d->xfrc_applied + 6 * b;
      mju_zero(f, 6);
      mjtNum v[6];
      mj_objectVelocity(m, d, mjOBJ_BODY, b, v, 0);
      const mjtNum* x = d->xipos + 3 * b;
      lat[k] = sf_edges_across(e, x);
      mjtNum c = 2 * SF_EDGES_ZETA * mju_sqrt(kf * m->body_mass[b]);
      mjtNum rest = (k ? 0.5 : -0.5) * p->gap0_m;
      mju_scl3(f, m->opt.gravity, -m->body_mass[b]);
      mju_addToScl3(f, e->lat, -kf * (lat[k] - rest) - c * mju_dot3(v + 3, e->lat));
      mju_addToScl3(f, up, -kf * (mju_dot3(x, up) - e->z_m[k][i]) - c * mju_dot3(v + 3, up));
    }
    // the edges pressed together push apart
    mjtNum overlap = lat[0] - lat[1];
    if (overlap > 0) {
      mju_addToScl3(d->xfrc_applied + 6 * e->body[0][i], e->lat, -SF_EDGES_CONTACT * kf * overlap);
      mju_addToScl3(d->xfrc_applied + 6 * e->body[1][i], e->lat, SF_EDGES_CONTACT * kf * overlap);
    }
  }

  // the stitches pull the edges together
  for (int j = 0; j < s->n; j++) {
    const sfStitch* t = &s->st[j];
    if (t->cut || !(t->tension_N > 0)) continue;
    sf_edges_pull(e, d, 0, t->s_m, t->tension_N, e->lat);
    sf_edges_pull(e, d, 1, t->s_m, -t->tension_N, e->lat);
  }
}

mjtNum sf_edges_gap(const sfEdges* e, const mjData* d, mjtNum s_m) {
  mjtNum w, lat[2];
  int i = sf_edges_at(e, s_m, &w);
  for (int k = 0; k < 2; k++) {
    lat[k] = (1 - w) * sf_edges_across(e, d->xipos + 3 * e->body[k][i]) +
             w * sf_edges_across(e, d->xipos + 3 * e->body[k][i + 1]);
  }
  return mju_max(0, lat[1] - lat[0]);
}
