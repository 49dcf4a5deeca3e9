package roadnet

// CPUTime is cpuTime for the external tests (benchmarks of roadnet_test).
var CPUTime = cpuTime

// Andorra is the test helper that loads (once) the Andorra extract or skips.
var Andorra = andorra
