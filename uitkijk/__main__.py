from uitkijk.cli import app

app()
