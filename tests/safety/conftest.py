import pytest

from bot.safety.detector import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector.load()
