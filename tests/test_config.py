from __future__ import annotations

import dataclasses

import pytest

from textclean import BoilerplateConfig, Config, ConfigError, DecodeConfig, DedupConfig, clean


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: DecodeConfig(encoding="no-such-codec"), "not a codec"),
        (lambda: DecodeConfig(max_bytes=0), "max_bytes must be"),
        (lambda: DecodeConfig(min_plausibility=2), "between 0 and 1"),
        (lambda: DedupConfig(min_sentence_chars=0), "min_sentence_chars"),
        (lambda: BoilerplateConfig(head_lines=-1), "head_lines"),
        (lambda: BoilerplateConfig(disable_rules="zh.meta.label"), "set of rule ids"),
        (lambda: Config().replace(no_such_option=1), "valid options are"),
    ],
)
def test_invalid_config_says_how_to_fix(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_configs_are_frozen_and_keyword_only():
    config = DedupConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.min_sentence_chars = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        DedupConfig(True)  # type: ignore[misc]


def test_replace_routes_overrides():
    config = Config().replace(min_sentence_chars=12, head_lines=3, encoding="gb18030")
    assert config.dedup.min_sentence_chars == 12
    assert config.boilerplate.head_lines == 3
    assert config.decode.encoding == "gb18030"


def test_clean_accepts_overrides():
    text = "推荐内容\n正文。"
    assert clean(text) == "正文。\n"
    assert clean(text, disable_rules={"zh.related.heading", "zh.related.heading-tail"}) == "推荐内容\n正文。\n"
    with pytest.raises(TypeError):
        clean(b"bytes")  # type: ignore[arg-type]
