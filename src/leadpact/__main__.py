"""`python -m leadpact`: the same command line as `leadpact`."""

from leadpact.cli import main

if __name__ == "__main__":
    main()
