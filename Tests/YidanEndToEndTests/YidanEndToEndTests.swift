// YidanEndToEndTests
