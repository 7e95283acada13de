// YidanStoreTests
