// YidanCoreTests
