// controller.h: controllers behind the plug-in ABI: the built-ins, the plug-in loader and the
// services the host offers them.
//
// Every controller, built-in or plug-in, is an sfcController table (include/suturefleet/
// controller.h); sf_controller_open resolves a name or a shared-object path to a checked,
// loaded controller, and the episode drives it through that table only.
#ifndef SUTUREFLEET_SIM_CONTROLLER_H_
#define SUTUREFLEET_SIM_CONTROLLER_H_

#include <stdint.h>

#include <mujoco/mujoco.h>
#include <suturefleet/controller.h>

#include "ik.h"
#include "scene.h"
#include "skill.h"
#include "status.h"

#define SF_BUILTIN_HASH "built-in"  // hash recorded for built-in controllers

// a loaded, checked controller
typedef struct sfController_ {
  const sfcController* api;  // its table (built-in, or the plug-in's)
  sfSkillDef skill;          // its skill vector
  char name[SFC_NAME_MAX + 1];
  char path[4096];  // the plug-in file, absolute ("" for a built-in)
  char hash[24];    // FNV-1a 64 of the plug-in file in hex, or SF_BUILTIN_HASH
  void* dl;         // dlopen handle (NULL for a built-in)
} sfController;

// the host side of one worker's controller: the services of sfcHost and their scratch
typedef struct sfHost_ {
  sfcHost pub;       // what the controller sees (pub.ctx points back here)
  const sfScene* s;  // the scene
  sfIk ik;           // IK scratch
  mjData* scratch;   // kinematics-only data for ik_solve (never stepped)
} sfHost;

// a spec names a plug-in file (it contains '/' or ends in ".so") rather than a built-in
int sf_controller_is_path(const char* spec);

// built-in controllers: how many, and the i-th table
int sf_controller_builtin_count(void);
const sfcController* sf_controller_builtin(int i);

// open the controller spec names (a built-in's name or a plug-in path) into c and check its
// table; SF_ERR_INPUT naming the spec and the problem (unknown name, missing file, not a shared
// object, no entry symbol, unknown ABI version, missing required function, bad skill values),
// with nothing left open
sftStatus sf_controller_open(const char* spec, sfController* c, sfError* e);

// check table t (who names it in messages) and make it the controller c, not loaded from a file
// (hash SF_BUILTIN_HASH); SF_ERR_INPUT naming who and the problem, c zeroed
sftStatus sf_controller_use(const sfcController* t, const char* who, sfController* c, sfError* e);

// unload c (accepts a zeroed or closed controller)
void sf_controller_close(sfController* c);

// make the host services for scene s (h is filled in place; its address must stay fixed while
// a controller uses it); SF_ERR_RUN on allocation failure with nothing left allocated
sftStatus sf_host_make(sfHost* h, const sfScene* s, sfError* e);

// release host scratch (accepts a zeroed or freed host)
void sf_host_free(sfHost* h);

// the built-in scripted-arc controller's table (scripted_arc.c)
const sfcController* sf_scripted_arc(void);

#endif  // SUTUREFLEET_SIM_CONTROLLER_H_
