"""Engine: the SimPy environment, the processes and the recorder; one Simulation runs once."""
