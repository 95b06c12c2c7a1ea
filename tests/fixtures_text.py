"""Small hand-written dumps in the blog's two listing formats, shared by several tests."""

FORMAT_A = """\
变分自编码器(一):原来是这么一回事
By 苏剑林 | 2018-03-18 | 1000位读者 | 引用这是第一段,介绍VAE与自编码器的关系,占比50%&#_~^。
基本思路
设损失函数为$\\mathcal{L}(\\theta)$,我们有
\\begin{equation}\\mathcal{L} = \\mathbb{E}_{x}\\left[\\Vert x - \\hat{x}\\Vert^2\\right]\\label{eq:loss}\\end{equation}
由式$\\eqref{eq:loss}$可知,重构项是关键;$\\LaTeX$排版更美观。
模型示意图
模型示意图
1、编码器把样本映射为分布;
2、解码器从分布中采样重构。
这里有一个坏公式$\\foo{x}$,它不应该让整本书失败。
其他话题的文章
By 苏剑林 | 2019-01-02 | 20位读者 | 引用另一篇文章也有标签,
\\begin{equation}f(x)=x^2\\label{eq:loss}\\end{equation}
并引用式$\\eqref{eq:loss}$,编号应当是本章的。
最近评论
"""


# Every way a display gets (or does not get) a number; the expected numbers are what XeLaTeX's amsmath prints
# for the same dump (test_numbers_agree_with_the_pdf checks that against the .aux files).
NUMBERING = """\
关于$x^2$的公式编号
By 苏剑林 | 2022-11-30 | 30823位读者 | 引用第一段 文字,然后是 Latin words here。
\\begin{equation}a=b\\label{eq:one}\\end{equation}
\\begin{equation}c=d\\nonumber\\end{equation}
\\begin{equation}e=f\\tag{*}\\label{eq:star}\\end{equation}
\\begin{align}g&=h\\label{eq:g}\\\\i&=j\\nonumber\\\\k&=l\\label{eq:k}\\end{align}
\\begin{gather}m\\\\n\\tag*{Z}\\label{eq:z}\\end{gather}
\\begin{multline}o+p\\\\+q\\label{eq:m}\\end{multline}
$$r=s\\label{eq:dollar}$$
\\begin{align*}t&=u\\end{align*}
\\begin{equation}v=\\eqref{eq:one}+\\ref{eq:k}\\label{eq:v}\\end{equation}
由式$\\eqref{eq:one}$、$\\eqref{eq:star}$、$\\eqref{eq:g}$、$\\eqref{eq:k}$、$\\eqref{eq:z}$、$\\eqref{eq:m}$、$\\eqref{eq:dollar}$和$\\eqref{eq:v}$可知,第$\\ref{eq:k}$式成立;$\\eqref{eq:none}$不存在。
"""

# Equation references of the NUMBERING dump as the EPUB prints them, in order.
NUMBERING_REFS = ["(1.1)", "(*)", "(1.2)", "(1.3)", "(Z)", "(1.5)", "(1.6)", "(1.7)"]

# A post with one figure, for the figures' images.
SHORT = "2020-05-01-yi-pian-zhi-you-yi-zhang"  # one figure, whose image is broken
SHORT_DUMP = """一篇只有一张图的短文
By 苏剑林 | 2020-05-01 | 10位读者 | 引用这是正文的第一段，我们先介绍一个简单的几何事实，然后给出一张示意图。
向量的分解可以用下面的图来说明，如下图所示：
正交分解示意图
图中的两个分量互相垂直，它们的长度满足勾股定理，这就是正交分解的含义。
"""
FIGURES_YAML = "title: 图片之书\nauthor: 苏剑林\nsources: [excerpts/*.txt]\n"
SVG_TEXT = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
            '<rect x="5" y="5" width="190" height="90" fill="green"/></svg>\n')
