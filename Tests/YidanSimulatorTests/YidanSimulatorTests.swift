// YidanSimulatorTests
