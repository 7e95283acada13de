// YidanIngestTests
