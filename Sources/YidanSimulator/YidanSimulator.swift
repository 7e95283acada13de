// YidanSimulator
