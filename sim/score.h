// score.h: suturing scores compatible with the Surgical Robotics Challenge (SRC) and STAR.
//
// SRC: each entry and exit hole has a frame whose z axis is the tissue normal. A throw at pair
// k is scored from the needle tip's path: the tip crossing the entry hole's z = 0 plane going
// down is the insertion, crossing the exit hole's plane going up is the exit. The lateral error
// is the distance from the hole's origin to the crossing point within the hole's x-y plane;
// the insertion must come before the exit and both must be nearest to pair k's holes. The tip
// must then stand out at least 5 mm (SRC challenge 2) beyond the exit point.
#ifndef SUTUREFLEET_SIM_SCORE_H_
#define SUTUREFLEET_SIM_SCORE_H_

#include <mujoco/mujoco.h>

#include "scene.h"  // sfHoles

// the score of one throw
typedef struct sfThrowScore_ {
  int pair;             // the pair the throw is meant for
  int inserted;         // the tip crossed an entry plane going down
  int exited;           // the tip crossed an exit plane going up after an insertion
  int order_error;      // the tip came up through an exit plane before any insertion
  int insertions;       // downward crossings (more than one: re-insertions, corrections)
  int entry_pair;       // pair whose entry hole is nearest the first insertion (-1 none)
  int exit_pair;        // pair whose exit hole is nearest the first exit (-1 none)
  mjtNum entry_pt[3];   // first insertion point (world)
  mjtNum exit_pt[3];    // first exit point (world)
  mjtNum entry_err_mm;  // lateral error of the first insertion to pair's entry hole
  mjtNum exit_err_mm;   // lateral error of the first exit to pair's exit hole
  mjtNum tip_out_mm;    // largest distance of the tip from the exit point after the exit,
                        //   until the needle is first released
  int released;         // the needle was released (stops tip_out_mm)
  int backed_out;       // the tip went back down through the exit plane after its exit: the
                        //   needle was withdrawn the way it came, not pulled through
} sfThrowScore;

// start scoring a throw meant for pair
void sf_score_reset(sfThrowScore* s, int pair);

// the tip moved from a to b (world); detect crossings of the hole planes
void sf_score_update(sfThrowScore* s, const sfHoles* h, const mjtNum a[3], const mjtNum b[3]);

// lateral distance (mm) from hole (pos, mat) to point x within the hole's x-y plane
mjtNum sf_score_lateral_mm(const mjtNum pos[3], const mjtNum mat[9], const mjtNum x[3]);

// the throw meets SRC's criteria: in order, right pair, both errors <= tol_mm, tip out >= 5 mm,
// and the tip never went back in after its exit
int sf_score_throw_ok(const sfThrowScore* s, mjtNum tol_mm);

#endif  // SUTUREFLEET_SIM_SCORE_H_
