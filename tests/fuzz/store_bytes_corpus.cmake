# store_bytes_corpus.cmake: the seed corpus of fuzz_store_bytes, real stores made by the
# binary BIN into DIR: a small fleet run with every trajectory recorded, a solo run, and a run
# stopped after one of two rounds (cmake -DBIN=... -DDIR=... -P store_bytes_corpus.cmake)
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
set(runs
  "fleet_all.h5\;--robots\;1\;--rounds\;1\;--join\;none\;--mode\;fleet\;--record\;all"
  "solo.h5\;--robots\;2\;--rounds\;1\;--join\;none\;--mode\;solo\;--record\;none"
  "both_join.h5\;--robots\;1\;--rounds\;2\;--join\;1@1\;--record\;every:2")
foreach(run IN LISTS runs)
  set(args ${run})
  list(POP_FRONT args name)
  execute_process(COMMAND ${BIN} run --quiet --threads 1 --store ${DIR}/${name} ${args}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "store_bytes_corpus: '${BIN} run ... ${name}' failed (${rc})")
  endif()
endforeach()
