package roadnet

// CPUTime is cpuTime for the external tests (benchmarks of roadnet_test).
var CPUTime = cpuTime
