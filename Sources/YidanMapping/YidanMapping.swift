// YidanMapping
