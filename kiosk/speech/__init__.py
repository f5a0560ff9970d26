"""What the kiosk says aloud: prompts from the catalogues, numbers, money and dates as words.

``kiosk.speech`` decides *what* to say (no audio, no Kivy); ``devices.speech`` says it.
"""
