// scene.h: load the MJCF scene once and resolve every named element the simulator uses.
#ifndef SUTUREFLEET_SIM_SCENE_H_
#define SUTUREFLEET_SIM_SCENE_H_

#include <stdint.h>
#include <mujoco/mujoco.h>

#include "arm.h"
#include "edges.h"
#include "rope.h"
#include "rng.h"
#include "status.h"

#define SF_MAX_PAIRS 8   // most entry/exit site pairs a scene may define
#define SF_MAX_SKIN 256  // most particles of a deformable skin

// the rates of the controller and the tissue model, unless the scene sets its own in custom
// numerics suturefleet_control_hz / suturefleet_tissue_hz; each period must be a whole number
// of physics steps
#define SF_CONTROL_HZ 500
#define SF_TISSUE_HZ 1000

// the hole frames of a scene (world), from the entry_i / exit_i sites
typedef struct sfHoles_ {
  int npair;                          // pairs
  mjtNum entry_pos[SF_MAX_PAIRS][3];  // entry hole origins
  mjtNum entry_mat[SF_MAX_PAIRS][9];  // entry hole orientations (z = tissue normal)
  mjtNum exit_pos[SF_MAX_PAIRS][3];
  mjtNum exit_mat[SF_MAX_PAIRS][9];
} sfHoles;

#define SF_PARK_M \
  0.02  // psm2's withdrawal from home while a one-arm controller drives psm1:
        //   at home its open jaws wait above the wound, where psm1's approach
        //   may pass

// a loaded scene: the shared, read-only model and the ids the code needs
typedef struct sfScene_ {
  mjModel* m;                  // the model; read-only after loading, shared by all threads
  char path[4096];             // the MJCF file it came from
  uint64_t model_hash;         // FNV-1a 64 of the compiled model (mj_saveModel bytes)
  sfArm arm;                   // the first PSM's ids (psm1_)
  sfArm arm2;                  // the second PSM's (psm2_), in a two-arm scene
  int narm;                    // 1, or 2 in a two-arm scene (a body psm2_base)
  double arm2_home[SF_NAXIS];  // psm2's axes in the home keyframe
  double arm2_park[SF_NAXIS];  // where a one-arm controller's episode starts psm2 and the host
                               //   holds it: home withdrawn SF_PARK_M along its shaft
  int needle_body;             // mocap needle body
  int needle_mocap;            // its mocap index
  int needle_tip_site;         // needle sites; their positions in the needle frame
  int needle_tail_site;        //   define the needle geometry
  int needle_center_site;
  double needle_radius_m;  // from the tip site's distance to the centre
  int npair;               // number of entry/exit pairs found (entry_0.., exit_0..)
  int entry_site[SF_MAX_PAIRS];
  int exit_site[SF_MAX_PAIRS];
  int home_key;                // keyframe "home"
  sfHoles holes;               // entry/exit hole frames (world), from the sites
  int pad_geom;                // the tissue pad box geom "tissue_pad"
  double pad_center_m[3];      // its centre (world)
  double pad_half_m[3];        // its half sizes (world axes; the pad is axis-aligned)
  double wound_pos_m[3];       // a point on the wound line (geom "wound")
  double wound_dir[3];         // the wound line's direction (unit)
  int ctrl_every;              // physics steps per controller step (control rate)
  int tissue_every;            // physics steps per tissue model step (tissue rate)
  int nskin;                   // particles of the deformable skin (bodies skinB*); 0: fast scene
  int skin_body[SF_MAX_SKIN];  // their body ids
  double skin_rest_z[SF_MAX_SKIN];  // their heights at rest (1 s after home)
  int skin_qadr[SF_MAX_SKIN];       // the qpos and dof addresses of each one's vertical
  int skin_dadr[SF_MAX_SKIN];       //   slide joint
  double skin_rest_q[SF_MAX_SKIN];  //   and its value at rest
  double skin_k_N_m;  // the stiffness of the skin's support in series with the tissue's
                      //   indentation (custom numeric suturefleet_skin_k, N/m); 0: rigid
  sfEdges edges;      // the wound's simulated edges (soft scene; n 0: analytic)
  sfRope rope;        // the thread's simulated first stretch (soft scene; n 0: none)
} sfScene;

// arm a (0: psm1, 1: psm2) of the scene
static inline const sfArm* sf_scene_arm(const sfScene* s, int a) {
  return a ? &s->arm2 : &s->arm;
}

// load and check a scene; on failure returns SF_ERR_INPUT with a message naming the file and
// the missing or broken element, and leaves s empty (safe to sf_scene_free)
sftStatus sf_scene_load(sfScene* s, const char* path, sfError* e);

// release the model; accepts an empty or freed scene
void sf_scene_free(sfScene* s);

// the path of one of suturefleet's data files, rel under the installed share directory
// ("models/suture_scene.xml", "literature/robotic_suturing_time.csv"): an installed binary
// (the running executable is <prefix>/bin/<name> and <prefix>/share/suturefleet/models/
// suture_scene.xml exists) gets "<prefix>/share/suturefleet/<rel>", written into buf (n bytes)
// and returned; any other binary (the build tree's) gets fallback itself, the source tree's
// file, exactly as before installation existed; fallback too when the path does not fit buf
const char* sf_data_path(char* buf, size_t n, const char* rel, const char* fallback);

// the default model path: $SUTUREFLEET_MODEL, else models/suture_scene.xml of the install
// prefix's share/suturefleet (an installed binary) or of the source tree (sf_data_path); the
// string lives until the calling thread's next call
const char* sf_scene_default_path(void);

// the default model of a task of stitches throws: $SUTUREFLEET_MODEL, else the one-arm scene
// for one throw (the default learning scene does not pay for an arm it does not use) and the
// two-arm scene (models/suture_scene_2arm.xml), whose arms hand the needle over, for more
const char* sf_scene_default_for(int stitches);

#endif  // SUTUREFLEET_SIM_SCENE_H_
