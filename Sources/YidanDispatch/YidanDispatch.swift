// YidanDispatch
