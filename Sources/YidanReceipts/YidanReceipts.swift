// YidanReceipts
