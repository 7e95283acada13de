// YidanRates: placeholder until the rates helper lands its files.
