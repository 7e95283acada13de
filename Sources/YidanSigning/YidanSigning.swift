// YidanSigning
