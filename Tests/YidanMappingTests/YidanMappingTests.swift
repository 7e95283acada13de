// YidanMappingTests
