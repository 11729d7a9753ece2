#!/usr/bin/env python
from gugus.__main__ import main

if __name__ == "__main__":
    main()
