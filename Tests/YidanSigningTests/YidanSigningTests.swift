// YidanSigningTests
