// YidanDispatchTests
