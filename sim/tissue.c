// tissue.c: puncture, tunnel friction and sideways resistance, tearing (trauma).
#include "tissue.h"

#include <string.h>

#include "needle.h"
#include "vec3.h"

#define SF_CUT_MIN_SPEED 1e-6  // m/s: the tip cuts only when it really advances

void sf_tissue_reset(sfTissueState* s) {
  memset(s, 0, sizeof(*s));
}

int sf_tissue_contains(const sfTissueParams* p, const mjtNum x[3]) {
  return x[2] < p->top_z_m && x[2] > p->bottom_z_m &&
         mju_abs(x[0] - p->center_m[0]) < p->half_m[0] &&
         mju_abs(x[1] - p->center_m[1]) < p->half_m[1];
}

// nearest point of the tunnel circle (centre c, axis n, radius r) to x
static void sf_tunnel_nearest(const mjtNum c[3], const mjtNum n[3], mjtNum r, const mjtNum x[3],
                              mjtNum out[3]) {
  mjtNum q[3];
  sf_v3_sub(q, x, c);
  sf_v3_add_scl(q, q, n, -sf_v3_dot(q, n));
  mjtNum len = sf_v3_norm(q);
  if (len < mjMINVAL) {
    mju_copy3(out, c);
    return;
  }
  sf_v3_add_scl(out, c, q, r / len);
}

// engage: the tunnel is the needle's circle now
static void sf_tissue_engage(sfTissueState* s, const mjtNum pos[3], const mjtNum quat[4]) {
  mjtNum z[3] = {0, 0, 1};
  s->engaged = 1;
  s->punctures++;
  mju_copy3(s->tunnel_c, pos);
  mju_rotVecQuat(s->tunnel_n, z, quat);
}

void sf_tissue_hold(sfTissueState* s, const mjtNum pos[3], const mjtNum quat[4]) {
  mju_copy3(s->prev_pos, pos);
  mju_copy4(s->prev_quat, quat);
  s->has_prev = 1;
  s->dimple_m = 0;
  mju_zero3(s->force);
  mju_zero3(s->torque);
}

// the surface pushing back on an unpunctured tip, in series with its own yield if it yields;
// punctures when the force is exceeded
static void sf_tissue_indent(const sfTissueParams* p, sfTissueState* s, const mjtNum pos[3],
                             const mjtNum quat[4], const mjtNum tip[3]) {
  mjtNum depth = p->top_z_m - tip[2];
  mjtNum k = p->indent_k_N_m;
  if (p->support_k_N_m > 0) k = k * p->support_k_N_m / (k + p->support_k_N_m);
  mjtNum f = k * depth;
  s->dimple_m = depth;
  if (f > p->puncture_N) {
    s->dimple_m = 0;
    sf_tissue_engage(s, pos, quat);
    return;
  }
  mjtNum up[3] = {0, 0, f}, arm[3], t[3];
  mju_add3(s->force, s->force, up);
  mju_sub3(arm, tip, pos);
  mju_cross(t, arm, up);
  mju_add3(s->torque, s->torque, t);
}

// forces on one engaged arc sample at x (tangent t, velocity v, length ds); returns the
// sideways displacement beyond the elastic limit (world vector) in excess
static void sf_tissue_sample(const sfTissueParams* p, const sfTissueState* s, mjtNum r,
                             const mjtNum x[3], const mjtNum t[3], const mjtNum v[3], mjtNum ds,
                             mjtNum f[3], mjtNum excess[3]) {
  // friction along the needle
  sf_v3_scl(f, t, -p->friction_Ns_m2 * ds * sf_v3_dot(v, t));

  // sideways displacement from the tunnel, elastic up to the tear limit
  mjtNum near[3], dev[3];
  sf_tunnel_nearest(s->tunnel_c, s->tunnel_n, r, x, near);
  sf_v3_sub(dev, x, near);
  sf_v3_add_scl(dev, dev, t, -sf_v3_dot(dev, t));
  mjtNum len = sf_v3_norm(dev);
  mju_zero3(excess);
  if (len > p->tear_m) {
    sf_v3_scl(excess, dev, (len - p->tear_m) / len);
    sf_v3_scl(dev, dev, p->tear_m / len);
  }
  sf_v3_add_scl(f, f, dev, -p->lateral_k_N_m2 * ds);
}

// fill the table for radius r (when it was made for another radius)
static void sf_arc_table(sfArcTable* tab, mjtNum r) {
  if (tab->r == r) return;
  for (int k = 0; k < SF_NEEDLE_SAMPLES; k++) {
    mjtNum a = mjPI * k / (SF_NEEDLE_SAMPLES - 1);
    sf_needle_point(r, a, tab->p[k]);
    sf_needle_tangent(a, tab->t[k]);
  }
  tab->r = r;
}

// one arc sample k of the engaged needle at (pos, mat), moved from (prev_pos, prev_mat) in dt:
// its forces and torque added to the state's, the tissue its sideways motion tears beyond the
// elastic limit added to the trauma and its excess displacement to excess_sum (counted in
// nexcess); returns 1 when the sample is inside the tissue, 0 (nothing changed) when not
static int sf_tissue_arc_sample(const sfTissueParams* p, sfTissueState* s, mjtNum radius_m, int k,
                                const mjtNum pos[3], const mjtNum mat[9], const mjtNum prev_mat[9],
                                mjtNum dt, mjtNum excess_sum[3], int* nexcess) {
  // the sample's position; outside the tissue it does nothing
  const sfArcTable* tab = &s->arc;
  mjtNum x[3], xo[3], t[3], v[3];
  sf_v3_rot(x, tab->p[k], mat);
  sf_v3_add_to(x, pos);
  if (!sf_tissue_contains(p, x)) return 0;

  // velocity from the previous pose, tangent, and the sample's share of the arc length
  sf_v3_rot(xo, tab->p[k], prev_mat);
  sf_v3_add_to(xo, s->prev_pos);
  sf_v3_sub(v, x, xo);
  sf_v3_scl(v, v, 1 / dt);
  sf_v3_rot(t, tab->t[k], mat);
  mjtNum ds = radius_m * mjPI / (SF_NEEDLE_SAMPLES - 1);
  mjtNum dsk = k == 0 || k == SF_NEEDLE_SAMPLES - 1 ? ds / 2 : ds;

  // friction and sideways forces; the advancing tip also cuts
  mjtNum f[3], excess[3], arm[3], tq[3];
  sf_tissue_sample(p, s, radius_m, x, t, v, dsk, f, excess);
  if (k == SF_NEEDLE_SAMPLES - 1 && sf_v3_dot(v, t) > SF_CUT_MIN_SPEED) {
    sf_v3_add_scl(f, f, t, -p->cut_N);
  }
  sf_v3_add_to(s->force, f);
  sf_v3_sub(arm, x, pos);
  sf_v3_cross(tq, arm, f);
  sf_v3_add_to(s->torque, tq);

  // beyond the elastic limit, sideways motion cuts: the area it sweeps is torn
  if (sf_v3_norm(excess) > 0) {
    mjtNum vperp[3];
    sf_v3_add_scl(vperp, v, t, -sf_v3_dot(v, t));
    s->trauma_mm2 += 1e6 * sf_v3_norm(vperp) * dt * dsk;
    sf_v3_add_to(excess_sum, excess);
    (*nexcess)++;
  }
  return 1;
}

// torn tissue: the tunnel follows the needle (orientation mat) by the mean excess of the
// nexcess torn samples; its axis turns towards the needle's by the same fraction of the radius
static void sf_tissue_tear(sfTissueState* s, mjtNum radius_m, const mjtNum mat[9],
                           const mjtNum excess_sum[3], int nexcess) {
  mjtNum n[3] = {mat[2], mat[5], mat[8]};
  mju_addScl3(s->tunnel_c, s->tunnel_c, excess_sum, 1.0 / nexcess);
  mjtNum w = mju_min(1, mju_norm3(excess_sum) / nexcess / radius_m);
  mju_scl3(s->tunnel_n, s->tunnel_n, 1 - w);
  mju_addScl3(s->tunnel_n, s->tunnel_n, n, w);
  mju_normalize3(s->tunnel_n);
}

void sf_tissue_step(const sfTissueParams* p, mjtNum radius_m, sfTissueState* s, const mjtNum pos[3],
                    const mjtNum quat[4], mjtNum dt) {
  // forces start from zero; the first step (or a zero dt) only holds the pose
  mju_zero3(s->force);
  mju_zero3(s->torque);
  if (!s->has_prev || dt <= 0) {
    sf_tissue_hold(s, pos, quat);
    return;
  }
  sf_arc_table(&s->arc, radius_m);
  mjtNum mat[9], prev_mat[9];
  mju_quat2Mat(mat, quat);
  mju_quat2Mat(prev_mat, s->prev_quat);

  // the tip: indentation and puncture of the surface
  mjtNum tip[3];
  mju_rotVecMat(tip, s->arc.p[SF_NEEDLE_SAMPLES - 1], mat);
  mju_addTo3(tip, pos);
  s->tip_inside = sf_tissue_contains(p, tip);
  s->dimple_m = 0;
  if (!s->engaged && s->tip_inside) sf_tissue_indent(p, s, pos, quat, tip);

  // engaged: every arc sample inside the tissue, then the tunnel where it tore
  mjtNum excess_sum[3] = {0, 0, 0};
  int inside = 0, nexcess = 0;
  for (int k = 0; s->engaged && k < SF_NEEDLE_SAMPLES; k++) {
    inside += sf_tissue_arc_sample(p, s, radius_m, k, pos, mat, prev_mat, dt, excess_sum, &nexcess);
  }
  if (nexcess) sf_tissue_tear(s, radius_m, mat, excess_sum, nexcess);

  // pulled out: nothing inside any more
  s->inside = inside;
  if (s->engaged && inside == 0 && !s->tip_inside) s->engaged = 0;
  s->peak_force_N = mju_max(s->peak_force_N, mju_norm3(s->force));
  mju_copy3(s->prev_pos, pos);
  mju_copy4(s->prev_quat, quat);
}
