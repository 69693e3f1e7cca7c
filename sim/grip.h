// grip.h: who holds the needle: the jaws of one or two arms, each grasping by the same rule,
// and the needle passed between them (a handover) as the jaws do it, never by the program.
//
// Each arm's jaws let go of the needle when they open beyond SFC_JAW_RELEASE_RAD, and catch it
// when they close below SF_GRIP_CLOSED_RAD (having been open since their last attempt) with the
// tool centre point within SF_GRIP_CAPTURE_M of the needle's arc at a point outside the tissue;
// closing anywhere else is a miss. The needle follows the arm that holds it, the lead; while
// both hold it, it follows the one that held it first. A handover: the other arm catches the
// needle while the lead still holds it, and the lead then opens; the needle now follows the
// receiver. A needle that no arm holds stays where it is while the tissue holds it and is
// dropped when the last holder lets go of it outside the tissue.
#ifndef SUTUREFLEET_SIM_GRIP_H_
#define SUTUREFLEET_SIM_GRIP_H_

#include <mujoco/mujoco.h>

#define SF_GRIP_MAX_ARMS 2
#define SF_GRIP_CLOSED_RAD 0.12  // jaws closed below this opening hold what they caught
#define SF_GRIP_CAPTURE_M 0.001  // closed jaws catch the needle within 1 mm of the tcp

// one arm's jaws at this step
typedef struct sfJaws_ {
  mjtNum tcp_pos[3];  // the tool centre point (world)
  mjtNum tcp_quat[4];
  mjtNum opening;  // the jaws' opening angle (rad)
} sfJaws;

// what a grip step did (bits)
enum {
  SF_GRIP_RELEASED = 1,  // an arm let go of the needle
  SF_GRIP_CAUGHT = 2,    // an arm caught it
  SF_GRIP_MISSED = 4,    // an arm closed its jaws on nothing
  SF_GRIP_PASSED = 8,    // a handover completed
  SF_GRIP_DROPPED = 16   // the last holder let go of it outside the tissue
};

// the grip over one episode
typedef struct sfGrip_ {
  int narm;
  int held[SF_GRIP_MAX_ARMS];           // arm a's jaws hold the needle
  int was_open[SF_GRIP_MAX_ARMS];       // arm a's jaws opened since their last attempt
  mjtNum rel_pos[SF_GRIP_MAX_ARMS][3];  // the needle in arm a's tcp frame while held
  mjtNum rel_quat[SF_GRIP_MAX_ARMS][4];
  int lead;                      // the arm the needle follows (-1: none)
  int released;                  // the arms that let go at the last step (bit a: arm a)
  int missed[SF_GRIP_MAX_ARMS];  // closings on nothing, per arm
  int handovers;                 // passes completed
  int handover_missed;           // closings on nothing while the other arm held it
  mjtNum both_since_s;           // when both began holding (NAN: not both)
  mjtNum handover_s;             // time both held it, summed over the passes
} sfGrip;

// narm arms; arm lead holds the needle at rel (the needle in its tcp frame), its jaws closed;
// the others are empty, their jaws counted as open (they may catch at their first closing)
void sf_grip_reset(sfGrip* g, int narm, int lead, const mjtNum rel_pos[3],
                   const mjtNum rel_quat[4]);

// one step: the jaws of every arm, the needle's pose as it stands (radius r), whether it is
// engaged in the tissue and, for a caught point, whether it lies in the tissue (inside(ctx,
// point); NULL: never); returns what happened (SF_GRIP_* bits); time_s times the handovers
int sf_grip_step(sfGrip* g, const sfJaws* jaws, const mjtNum needle_pos[3],
                 const mjtNum needle_quat[4], mjtNum r, int engaged,
                 int (*inside)(const void* ctx, const mjtNum x[3]), const void* ctx, mjtNum time_s);

// the needle's pose held by the lead's jaws (unchanged when no arm holds it)
void sf_grip_needle(const sfGrip* g, const sfJaws* jaws, mjtNum needle_pos[3],
                    mjtNum needle_quat[4]);

#endif  // SUTUREFLEET_SIM_GRIP_H_
