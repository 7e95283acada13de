// YidanRatesTests placeholder
