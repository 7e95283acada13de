// YidanXMLTests
