// YidanRouter
