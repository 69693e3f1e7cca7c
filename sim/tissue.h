// tissue.h: needle-tissue interaction on a tissue pad, computed each step from the needle's
// geometry and motion.
//
// Model (documented with its ranges in README.md):
// - Before puncture the tissue surface resists the needle tip like a spring (indent_k); when
//   that force exceeds puncture_N the surface gives way and the needle is engaged. Until then
//   the surface under the tip is pushed down with it: the dimple is the tip's depth below the
//   surface at rest (the soft scene's skin shows it). A yielding support (support_k > 0: a
//   scene's suturefleet_skin_k) adds its compliance in series, quasi-statically: depth d gives
//   the force k_i k_s / (k_i + k_s) d. Force and dimple depend on the tip alone, never on a
//   simulated particle's height, so the coupling has no loop to go unstable (an explicit skin
//   coupling did: README, soft scene).
// - Engaged, the needle runs in the tunnel its tip cut: a circle of the needle's radius,
//   recorded at puncture. Every arc sample inside the tissue feels viscous friction along the
//   needle (friction), the cutting force at an advancing tip (cut_N), and an elastic force
//   towards the tunnel for sideways displacement (lateral_k per metre of needle).
// - Sideways displacement beyond tear_m tears tissue: the tunnel is dragged with the needle,
//   and the area the needle sweeps sideways while beyond the elastic limit (sideways speed x
//   time x needle length, mm^2) is the tissue trauma. A needle that turns exactly about its own
//   centre and axis stays in its tunnel and causes none; nor does a needle held still.
#ifndef SUTUREFLEET_SIM_TISSUE_H_
#define SUTUREFLEET_SIM_TISSUE_H_

#include <mujoco/mujoco.h>

#include "needle.h"

// material and geometry of the pad (drawn per episode within documented ranges)
typedef struct sfTissueParams_ {
  mjtNum top_z_m;         // height of the top surface (world z)
  mjtNum bottom_z_m;      // height of the bottom surface
  mjtNum center_m[2];     // pad centre (world x, y)
  mjtNum half_m[2];       // pad half extents (x, y)
  mjtNum puncture_N;      // surface puncture force
  mjtNum indent_k_N_m;    // surface stiffness before puncture (N/m)
  mjtNum support_k_N_m;   // stiffness of the surface's support in series (N/m); 0: rigid
  mjtNum friction_Ns_m2;  // viscous friction along the needle (N s/m per m of needle)
  mjtNum cut_N;           // cutting force at an advancing tip
  mjtNum lateral_k_N_m2;  // sideways stiffness (N/m per m of needle)
  mjtNum tear_m;          // elastic limit of sideways displacement
} sfTissueParams;

// arc samples of a needle of radius r in the needle frame: points and forward tangents
typedef struct sfArcTable_ {
  mjtNum r;                        // radius the table was made for (0: empty)
  mjtNum p[SF_NEEDLE_SAMPLES][3];  // points, tail (0) to tip
  mjtNum t[SF_NEEDLE_SAMPLES][3];  // forward tangents
} sfArcTable;

// interaction state of one episode
typedef struct sfTissueState_ {
  sfArcTable arc;      // the needle's arc samples (filled on first use)
  int engaged;         // the needle is in a tunnel (punctured, not yet pulled out)
  int punctures;       // times the surface was punctured
  int inside;          // arc samples inside the tissue at the last step
  int tip_inside;      // the tip is inside the tissue volume
  mjtNum tunnel_c[3];  // tunnel circle centre (world)
  mjtNum tunnel_n[3];  // tunnel circle axis (world, unit)
  mjtNum prev_pos[3];  // needle pose at the previous step
  mjtNum prev_quat[4];
  int has_prev;         // prev_* valid
  mjtNum force[3];      // wrench of the tissue on the needle at the last step: force (N)
  mjtNum torque[3];     //   and torque about the needle frame origin (N m)
  mjtNum peak_force_N;  // largest force magnitude so far
  mjtNum dimple_m;      // how far the surface is pushed down under the unpunctured tip (0: none)
  mjtNum trauma_mm2;    // torn area so far (mm^2)
} sfTissueState;

// forget all interaction (new episode)
void sf_tissue_reset(sfTissueState* s);

// is world point p inside the pad volume
int sf_tissue_contains(const sfTissueParams* p, const mjtNum x[3]);

// advance by dt with the needle (radius_m) now at (pos, quat): updates engagement, tunnel,
// trauma and the wrench on the needle; the first call only records the pose
void sf_tissue_step(const sfTissueParams* p, mjtNum radius_m, sfTissueState* s, const mjtNum pos[3],
                    const mjtNum quat[4], mjtNum dt);

// the needle is left where it is (released, held by the tissue): keep the pose, zero the
// motion-dependent forces
void sf_tissue_hold(sfTissueState* s, const mjtNum pos[3], const mjtNum quat[4]);

#endif  // SUTUREFLEET_SIM_TISSUE_H_
