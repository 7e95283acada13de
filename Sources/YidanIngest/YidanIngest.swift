// YidanIngest
