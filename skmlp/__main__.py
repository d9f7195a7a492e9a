"""``python -m skmlp``: run the tutorial's digits demo."""

from skmlp._demo import main

if __name__ == "__main__":
    raise SystemExit(main())
