print("yidan")
