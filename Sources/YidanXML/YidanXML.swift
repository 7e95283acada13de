// YidanXML
