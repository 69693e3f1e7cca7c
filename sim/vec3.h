// vec3.h: inline 3-vector arithmetic for the hot loops (the tissue model's arc samples).
// Each function does exactly the floating-point operations of its MuJoCo namesake (mju_*), in
// the same order, so results are bit-identical; inlined, they save the call into libmujoco.
#ifndef SUTUREFLEET_SIM_VEC3_H_
#define SUTUREFLEET_SIM_VEC3_H_

#include <math.h>
#include <mujoco/mujoco.h>

// res = mat * vec (mat 3 x 3, row-major), as mju_rotVecMat
static inline void sf_v3_rot(mjtNum res[3], const mjtNum vec[3], const mjtNum mat[9]) {
  res[0] = mat[0] * vec[0] + mat[1] * vec[1] + mat[2] * vec[2];
  res[1] = mat[3] * vec[0] + mat[4] * vec[1] + mat[5] * vec[2];
  res[2] = mat[6] * vec[0] + mat[7] * vec[1] + mat[8] * vec[2];
}

// res += vec, as mju_addTo3
static inline void sf_v3_add_to(mjtNum res[3], const mjtNum vec[3]) {
  res[0] += vec[0];
  res[1] += vec[1];
  res[2] += vec[2];
}

// res = a - b, as mju_sub3
static inline void sf_v3_sub(mjtNum res[3], const mjtNum a[3], const mjtNum b[3]) {
  res[0] = a[0] - b[0];
  res[1] = a[1] - b[1];
  res[2] = a[2] - b[2];
}

// res = vec * scl, as mju_scl3
static inline void sf_v3_scl(mjtNum res[3], const mjtNum vec[3], mjtNum scl) {
  res[0] = vec[0] * scl;
  res[1] = vec[1] * scl;
  res[2] = vec[2] * scl;
}

// res = a + b * scl, as mju_addScl3
static inline void sf_v3_add_scl(mjtNum res[3], const mjtNum a[3], const mjtNum b[3], mjtNum scl) {
  res[0] = a[0] + b[0] * scl;
  res[1] = a[1] + b[1] * scl;
  res[2] = a[2] + b[2] * scl;
}

// a . b, as mju_dot3
static inline mjtNum sf_v3_dot(const mjtNum a[3], const mjtNum b[3]) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// |a|, as mju_norm3
static inline mjtNum sf_v3_norm(const mjtNum a[3]) {
  return sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
}

// res = a x b, as mju_cross
static inline void sf_v3_cross(mjtNum res[3], const mjtNum a[3], const mjtNum b[3]) {
  mjtNum t0 = a[1] * b[2] - a[2] * b[1];
  mjtNum t1 = a[2] * b[0] - a[0] * b[2];
  mjtNum t2 = a[0] * b[1] - a[1] * b[0];
  res[0] = t0, res[1] = t1, res[2] = t2;
}

#endif  // SUTUREFLEET_SIM_VEC3_H_
