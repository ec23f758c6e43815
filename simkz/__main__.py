"""``python -m simkz``: the same as the ``simkz`` command."""

from simkz.cli import main

if __name__ == "__main__":
    main()
