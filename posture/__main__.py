"""``python -m posture``: see ``posture.cli``.

For ``analyse VIDEO`` the pose workers' fork server is started first thing, so its
MediaPipe import runs on the second core while this process imports the engine
(``posture.parallel``). The guard matters: worker processes import this module under
another name and must not run the command again.
"""

if __name__ == "__main__":
    import sys

    from .parallel import start_early

    start_early(sys.argv[1:])

    from .cli import main

    sys.exit(main())
