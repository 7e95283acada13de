// YidanPlatformTests placeholder
