// needle.c: needle arc geometry, grasp poses and frame helpers.
#include "needle.h"

void sf_needle_point(mjtNum radius_m, mjtNum a, mjtNum out[3]) {
  out[0] = radius_m * mju_cos(a);
  out[1] = radius_m * mju_sin(a);
  out[2] = 0;
}

void sf_needle_tangent(mjtNum a, mjtNum out[3]) {
  out[0] = -mju_sin(a);
  out[1] = mju_cos(a);
  out[2] = 0;
}

void sf_grasp_pose(mjtNum radius_m, mjtNum grasp_a, mjtNum tilt, int side, mjtNum pos[3],
                   mjtNum quat[4]) {
  // turn the grasp point onto +x with its tangent along +y ...
  mjtNum z[3] = {0, 0, 1}, y[3] = {0, 1, 0};
  mjtNum qz[4], qflip[4], qtilt[4], tmp[4];
  mju_axisAngle2Quat(qz, z, -grasp_a);

  // ... flip about the wire so the needle normal is -z and the point lands on -x ...
  mju_axisAngle2Quat(qflip, y, mjPI);
  mju_mulQuat(tmp, qflip, qz);

  // ... tilt about the wire; the centre is then r along the tilted +x; the other side is
  // half a turn about the tool axis
  mjtNum qside[4], zt[3] = {0, 0, 1}, qt[4], centre[3] = {radius_m, 0, 0}, c[3];
  mju_axisAngle2Quat(qtilt, y, tilt);
  mju_mulQuat(qt, qtilt, tmp);
  mju_axisAngle2Quat(qside, zt, side < 0 ? mjPI : 0);
  mju_mulQuat(quat, qside, qt);
  mju_rotVecQuat(c, centre, qtilt);
  mju_rotVecQuat(pos, c, qside);
}

mjtNum sf_needle_closest(mjtNum radius_m, const mjtNum q[3], mjtNum* a) {
  // angle of the point's projection on the needle plane, limited to the arc
  mjtNum ang = mju_atan2(q[1], q[0]);
  if (ang < 0) ang = (ang < -mjPI / 2) ? mjPI : 0;
  mjtNum p[3];
  sf_needle_point(radius_m, ang, p);
  if (a) *a = ang;
  return mju_dist3(p, q);
}

void sf_frame_point(const mjtNum pos[3], const mjtNum quat[4], const mjtNum p[3], mjtNum out[3]) {
  mjtNum r[3];
  mju_rotVecQuat(r, p, quat);
  mju_add3(out, pos, r);
}

void sf_pose_relative(const mjtNum apos[3], const mjtNum aquat[4], const mjtNum bpos[3],
                      const mjtNum bquat[4], mjtNum rel_pos[3], mjtNum rel_quat[4]) {
  mjtNum inv[4], d[3];
  mju_negQuat(inv, aquat);
  mju_sub3(d, bpos, apos);
  mju_rotVecQuat(rel_pos, d, inv);
  mju_mulQuat(rel_quat, inv, bquat);
}
