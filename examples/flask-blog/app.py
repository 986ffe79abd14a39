from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
# No storage_uri: Flask-Limiter keeps its counters in memory.
limiter = Limiter(get_remote_address, app=app)


@app.route("/posts", methods=["GET", "POST"])
def posts():
    return "posts"


@app.route("/search")
@limiter.limit("10/minute")
def search():
    return request.args.get("q", "")
